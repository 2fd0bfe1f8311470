package localws

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Run history: the data-plane routes a client uses to follow a job and
// collect its results, under
// /history/v1.0/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/runs/{runId}/...
//
//	details          run details: status, times, error, progress, logFiles
//	events           status/progress/log-line events after a cursor (long poll)
//	logs             the job's log files (names relative to the job folder)
//	logs/{path}      one log file (Range requests work, for tailing)
//	outputs          the job's outputs: datastore location and files with blob URLs
//	children         a pipeline job's steps that have started (children.go)

func (s *Server) serveHistory(w http.ResponseWriter, r *http.Request, segs []string) {
	rest, aerr := s.matchWorkspaceScope(segs)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if len(rest) < 3 || rest[0] != "runs" {
		writeError(w, errNotFound("no route for "+r.URL.Path+": run history routes are .../runs/{runId}/details|events|logs|outputs|children"))
		return
	}
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	j, err := s.loadJob(r.Context(), rest[1])
	if err != nil {
		writeError(w, err)
		return
	}
	switch {
	case len(rest) == 3 && rest[2] == "details":
		s.serveRunDetails(w, r, j)
	case len(rest) == 3 && rest[2] == "events":
		s.serveEvents(w, r, j)
	case len(rest) == 3 && rest[2] == "logs":
		s.serveLogList(w, r, j)
	case len(rest) >= 4 && rest[2] == "logs":
		s.serveLogFile(w, r, j, rest[3:])
	case len(rest) == 3 && rest[2] == "outputs":
		s.serveOutputs(w, r, j)
	case len(rest) == 3 && rest[2] == "children":
		s.serveChildren(w, r, j)
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

func (s *Server) runURL(r *http.Request, job string) string {
	return baseURL(r) + "/history/v1.0" + s.workspacePath() + "/runs/" + url.PathEscape(job)
}

// runDetails mirrors the fields of Azure's run details that clients use
// (runId, status, times, error, logFiles) plus a local "progress".
type runDetails struct {
	RunID        string            `json:"runId"`
	Status       string            `json:"status"`
	Target       string            `json:"target"`
	DisplayName  string            `json:"displayName"`
	Experiment   string            `json:"experimentName"`
	CreatedUTC   time.Time         `json:"createdTimeUtc"`
	StartTimeUTC *time.Time        `json:"startTimeUtc"`
	EndTimeUTC   *time.Time        `json:"endTimeUtc"`
	Error        *runError         `json:"error"`
	Tags         map[string]string `json:"tags"`
	Properties   map[string]string `json:"properties"`
	// LogFiles maps each log file (path relative to the job folder, e.g.
	// logs/job_progress_overview.txt) to its download URL on this server.
	LogFiles map[string]string `json:"logFiles"`
	// Progress is the latest mini-batch progress (local extension).
	Progress Progress `json:"progress"`
	// EventsURL and OutputsURL point at the other run routes (local
	// extension).
	EventsURL  string `json:"eventsUrl"`
	OutputsURL string `json:"outputsUrl"`
}

type runError struct {
	Error jobError `json:"error"`
}

func (s *Server) serveRunDetails(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	logs, err := s.logFiles(j)
	if err != nil {
		writeError(w, err)
		return
	}
	d := runDetails{
		RunID:        j.Name,
		Status:       j.Status,
		Target:       j.Compute,
		DisplayName:  j.DisplayName,
		Experiment:   j.ExperimentName,
		CreatedUTC:   j.CreatedAt,
		StartTimeUTC: j.StartedAt,
		EndTimeUTC:   j.EndedAt,
		Tags:         j.Tags,
		Properties:   j.Properties,
		LogFiles:     map[string]string{},
		Progress:     j.Progress,
		EventsURL:    s.runURL(r, j.Name) + "/events",
		OutputsURL:   s.runURL(r, j.Name) + "/outputs",
	}
	if d.Target == "" {
		d.Target = "local"
	}
	if j.Error != nil {
		d.Error = &runError{Error: *j.Error}
	}
	for _, name := range logs {
		d.LogFiles[name] = s.logURL(r, j.Name, name)
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) logURL(r *http.Request, job, name string) string {
	rel := strings.TrimPrefix(name, "logs/")
	if root, _, _ := strings.Cut(name, "/"); root != "logs" {
		rel = name // user_logs/... and system_logs/... name their root
	}
	segs := strings.Split(rel, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return s.runURL(r, job) + "/logs/" + strings.Join(segs, "/")
}

// logRoots are the folders of a job folder that hold logs: a batch job's
// logs/, a command job's or pipeline step's user_logs/ and system_logs/
// (Azure's layout).
var logRoots = []string{"logs", "user_logs", "system_logs"}

// logFiles lists the regular files under the job's log folders, as
// slash paths relative to the job folder ("logs/...", "user_logs/..."),
// sorted. Symbolic links are skipped: nothing outside the job folder is
// ever served.
func (s *Server) logFiles(j *jobRecord) ([]string, error) {
	var out []string
	for _, root := range logRoots {
		if err := walkLogs(s.logDir(j), root, &out); err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

func walkLogs(dir, rootName string, out *[]string) error {
	root := filepath.Join(dir, rootName)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil // hidden: a runtime's temporary file (batchrun.writeFileAtomic)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		*out = append(*out, filepath.ToSlash(rel))
		return nil
	})
}

func (s *Server) serveLogList(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	logs, err := s.logFiles(j)
	if err != nil {
		writeError(w, err)
		return
	}
	type logFile struct {
		Name string `json:"name"`
		Size int64  `json:"size"`
		URL  string `json:"url"`
	}
	out := listPage[logFile]{Value: []logFile{}}
	for _, name := range logs {
		fi, err := os.Stat(filepath.Join(s.logDir(j), filepath.FromSlash(name)))
		if err != nil {
			continue
		}
		out.Value = append(out.Value, logFile{Name: name, Size: fi.Size(), URL: s.logURL(r, j.Name, name)})
	}
	writeJSON(w, http.StatusOK, out)
}

// serveLogFile serves one log file. http.ServeContent answers Range
// requests, so a client can tail a log from the offset it has.
func (s *Server) serveLogFile(w http.ResponseWriter, r *http.Request, j *jobRecord, segs []string) {
	rel := strings.Join(segs, "/")
	rootName := "logs"
	if len(segs) > 1 && (segs[0] == "user_logs" || segs[0] == "system_logs") {
		rootName, rel = segs[0], strings.Join(segs[1:], "/")
	}
	root := filepath.Join(s.logDir(j), rootName)
	full := filepath.Join(root, filepath.FromSlash(rel))
	if r2, err := filepath.Rel(root, full); err != nil || !filepath.IsLocal(r2) {
		writeError(w, errBadRequest("log name "+rel+" is not inside the job's logs folder"))
		return
	}
	fi, err := os.Lstat(full)
	if err == nil && !withinReal(root, full) {
		err = fs.ErrPermission // a symbolic link on the way leads elsewhere
	}
	if err != nil || !fi.Mode().IsRegular() {
		writeError(w, errNotFound("Job '"+j.Name+"' has no log file "+rootName+"/"+rel+": list them at "+s.runURL(r, j.Name)+"/logs."))
		return
	}
	f, err := os.Open(full)
	if err != nil {
		writeError(w, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// withinReal reports whether p, with symbolic links resolved, lies inside
// root (also resolved).
func withinReal(root, p string) bool {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(realRoot, real)
	return err == nil && filepath.IsLocal(rel)
}
