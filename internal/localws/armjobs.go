package localws

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// cancelWait is how long a cancel request waits for the job to stop before
// answering, so the usual case needs no polling.
const cancelWait = 5 * time.Second

func (s *Server) serveJobs(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listARMJobs(w, r)
	case len(rest) == 0:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 1 && r.Method == http.MethodGet:
		j, err := s.loadJob(r.Context(), rest[0])
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, s.armJob(r, j))
	case len(rest) == 1 && r.Method == http.MethodPut:
		s.putJob(w, r, rest[0])
	case len(rest) == 1:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut)
	case len(rest) == 2 && strings.EqualFold(rest[1], "cancel") && r.Method == http.MethodPost:
		s.cancelJob(w, r, rest[0])
	case len(rest) == 2 && strings.EqualFold(rest[1], "cancel"):
		methodNotAllowed(w, r, http.MethodPost)
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

// loadJob reads a job; a missing one is a 404 in ARM format.
func (s *Server) loadJob(ctx context.Context, name string) (*jobRecord, error) {
	j, err := s.store.GetJob(ctx, name)
	if errors.Is(err, errNoRecord) {
		if parent, ok := strings.CutSuffix(name, "_"+batchScoringStep); ok {
			if p, err := s.store.GetJob(ctx, parent); err == nil && isModelJob(p) {
				return scoringStep(p), nil
			}
		}
		return nil, errNotFound("Job '" + name + "' not found in workspace '" + s.opts.Workspace + "'.")
	}
	return j, err
}

func (s *Server) listARMJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	jobs, err := s.store.ListJobs(r.Context(), jobFilter{})
	if err != nil {
		writeError(w, err)
		return
	}
	// Like Azure, the list has top-level jobs only; steps are listed
	// through their parent (…/runs/{job}/children).
	jobs = slices.DeleteFunc(jobs, func(j *jobRecord) bool {
		t := q.Get("jobType")
		return j.Parent != "" || t != "" && !strings.EqualFold(t, armJobType(j))
	})
	if strings.EqualFold(q.Get("listViewType"), string(armmachinelearning.ListViewTypeArchivedOnly)) {
		jobs = nil // nothing is archived
	}
	if tag := q.Get("tag"); tag != "" {
		key, value, hasValue := strings.Cut(tag, "=")
		kept := jobs[:0]
		for _, j := range jobs {
			if v, ok := j.Tags[key]; ok && (!hasValue || v == value) {
				kept = append(kept, j)
			}
		}
		jobs = kept
	}
	items := make([]armmachinelearning.JobBase, 0, len(jobs))
	for _, j := range jobs {
		items = append(items, s.armJob(r, j))
	}
	writePage(w, r, items)
}

// cancelJob answers like Azure: 202 with a Location that answers 202 until
// the job has stopped, then 200. A job that already ended is left as is.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, name string) {
	ctx := r.Context()
	j, err := s.loadJob(ctx, name)
	if err != nil {
		writeError(w, err)
		return
	}
	if j.Parent != "" && !isTerminal(j.Status) {
		writeError(w, errBadRequest("Job '"+j.Name+"' is step "+j.Step+" of pipeline job '"+j.Parent+"': cancel the pipeline job (ml job cancel -n "+j.Parent+"); its running steps are canceled with it."))
		return
	}
	if !isTerminal(j.Status) {
		if _, running := s.jobs.cancel(j.Name); running {
			if _, err := s.setJobStatus(ctx, j.Name, statusCancelRequested, "cancel requested"); err != nil {
				writeError(w, err)
				return
			}
			s.waitTerminal(ctx, j.Name, cancelWait)
		} else {
			// Queued, or between submission and start: nothing runs yet.
			if _, err := s.finishJob(context.Background(), j.Name, statusCanceled, nil, &jobError{Code: "JobCanceled", Message: "the job was canceled before it started"}); err != nil {
				writeError(w, err)
				return
			}
		}
	}
	id, err := s.newOperation(ctx, operationRecord{Action: "cancel", Job: j.Name})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", s.operationURL(r, opKindResult, id))
	w.Header().Set("x-ms-async-operation-timeout", "PT1H")
	writeRawJSON(w, http.StatusAccepted, []byte("null"))
}

// waitTerminal blocks until the job has ended, max elapses or ctx ends.
func (s *Server) waitTerminal(ctx context.Context, name string, max time.Duration) {
	timer := time.NewTimer(max)
	defer timer.Stop()
	for {
		changed := s.events.wait(name)
		j, err := s.store.GetJob(ctx, name)
		if err != nil || isTerminal(j.Status) {
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		}
	}
}
