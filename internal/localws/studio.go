package localws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// The local workspace's stand-in for Azure ML studio's job page: the
// job's services.Studio endpoint (what `ml job show --web` prints) is
// /runs/{job}?wsid=<workspace id>&sig=<view signature>, shaped like
// studio's https://ml.azure.com/runs/{job}?wsid=..., and serves a
// human-readable HTML page of the job.
//
// A browser sends no bearer token, so the URL carries a view signature:
// an HMAC of the job name under the server's token. It opens this one
// job's page and nothing else (no API route accepts it, and the token
// cannot be derived from it); a request with the bearer token works too.

// viewSig is the view signature of job's page.
func (s *Server) viewSig(job string) string {
	m := hmac.New(sha256.New, s.token)
	m.Write([]byte("studio-view\n" + job))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// studioURI is the "Web View" of a job.
func (s *Server) studioURI(r *http.Request, job string) string {
	return baseURL(r) + "/runs/" + url.PathEscape(job) + "?wsid=" + url.QueryEscape(s.workspacePath()) + "&sig=" + s.viewSig(job)
}

// serveStudio answers GET /runs/{job} with the job's page.
func (s *Server) serveStudio(w http.ResponseWriter, r *http.Request, job string) {
	sig := r.URL.Query().Get("sig")
	if !s.authorized(r) && !hmac.Equal([]byte(sig), []byte(s.viewSig(job))) {
		s.unauthorized(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	j, err := s.loadJob(r.Context(), job)
	if err != nil {
		writeError(w, err)
		return
	}
	children, err := s.childRuns(r.Context(), j)
	if err != nil {
		writeError(w, err)
		return
	}
	page := studioPage{Job: j, Workspace: s.opts.Workspace, Terminal: isTerminal(j.Status), Children: children}
	for _, o := range j.Outputs {
		page.Outputs = append(page.Outputs, studioOutput{Name: o.Name, URI: outputURI(o)})
	}
	logs, err := s.logFiles(j)
	if err != nil {
		writeError(w, err)
		return
	}
	for _, name := range logs {
		if fi, err := os.Stat(filepath.Join(s.logDir(j), filepath.FromSlash(name))); err == nil {
			page.Logs = append(page.Logs, studioLog{Name: name, Size: fi.Size()})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page embeds its own signature in nothing it links to; keep it
	// out of caches and referrers all the same.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := studioTemplate.Execute(w, page); err != nil {
		s.log.Debug("studio page", "job", j.Name, "error", err)
	}
}

type studioPage struct {
	Job       *jobRecord
	Workspace string
	Terminal  bool
	Outputs   []studioOutput
	Logs      []studioLog
	Children  []runSummary
}

type studioOutput struct{ Name, URI string }

type studioLog struct {
	Name string
	Size int64
}

var studioTemplate = template.Must(template.New("job").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
{{if not .Terminal}}<meta http-equiv="refresh" content="5">{{end}}
<title>{{.Job.Name}} · {{.Job.Status}} · ml local workspace</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}code{font-size:.95em}</style>
</head><body>
<h1>Job {{.Job.Name}}</h1>
<p>Workspace <code>{{.Workspace}}</code> (ml local workspace: jobs run on this machine).</p>
<table>
<tr><th>Status</th><td id="status">{{.Job.Status}}</td></tr>
<tr><th>Display name</th><td>{{.Job.DisplayName}}</td></tr>
<tr><th>Experiment</th><td>{{.Job.ExperimentName}}</td></tr>
<tr><th>Endpoint</th><td>{{.Job.Endpoint}}</td></tr>
<tr><th>Deployment</th><td>{{.Job.Deployment}}</td></tr>
<tr><th>Created</th><td>{{.Job.CreatedAt.UTC.Format "2006-01-02T15:04:05Z07:00"}}</td></tr>
<tr><th>Started</th><td>{{when .Job.StartedAt}}</td></tr>
<tr><th>Ended</th><td>{{when .Job.EndedAt}}</td></tr>
<tr><th>Mini-batches</th><td>{{.Job.Progress.MiniBatchesSucceeded}} succeeded, {{.Job.Progress.MiniBatchesFailed}} failed of {{.Job.Progress.MiniBatchesTotal}}</td></tr>
{{with .Job.Error}}<tr><th>Error</th><td>{{.Code}}: {{.Message}}</td></tr>{{end}}
</table>
<h2>Inputs</h2>
<table>{{range .Job.Inputs}}<tr><td>{{.Name}}</td><td>{{.Type}}</td><td><code>{{if .URI}}{{.URI}}{{else}}{{.Value}}{{end}}</code></td></tr>{{else}}<tr><td>none</td></tr>{{end}}</table>
<h2>Outputs</h2>
<table>{{range .Outputs}}<tr><td>{{.Name}}</td><td><code>{{.URI}}</code></td></tr>{{else}}<tr><td>none</td></tr>{{end}}</table>
<h2>Child jobs</h2>
<table>{{range .Children}}<tr><td>{{.RunID}}</td><td>{{.DisplayName}}</td><td>{{.Status}}</td></tr>{{else}}<tr><td>none</td></tr>{{end}}</table>
<h2>Logs</h2>
<p>Download them with <code>ml job download -n {{.Job.Name}} --all</code>, or follow with <code>ml job stream -n {{.Job.Name}}</code>.</p>
<table>{{range .Logs}}<tr><td><code>{{.Name}}</code></td><td>{{.Size}} bytes</td></tr>{{else}}<tr><td>none yet</td></tr>{{end}}</table>
</body></html>
`))
