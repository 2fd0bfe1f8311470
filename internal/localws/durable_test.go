package localws

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestJobOutputsAreSyncedBeforeTheJobEnds: the runtime writes a job's
// output straight into the own store's container, so the job's end must
// not be recorded before a sync of the store that started once the output
// was there (else a power loss leaves a Completed job without its file).
func TestJobOutputsAreSyncedBeforeTheJobEnds(t *testing.T) {
	var mu sync.Mutex
	var srv *Server
	var job string
	var seen []string // at each sync, once the job is known: "output" / "no output" and its status
	e := newEnv(t, func(o *Options) {
		o.blobSync = func() error {
			mu.Lock()
			defer mu.Unlock()
			if job == "" || srv == nil {
				return nil
			}
			j, err := srv.store.GetJob(context.Background(), job)
			if err != nil {
				return nil // not stored yet
			}
			out := filepath.Join(srv.blobRoot, srv.account, srv.container, "azureml", job, "score", "predictions.csv")
			state := "no output"
			if _, err := os.Stat(out); err == nil {
				state = "output"
			}
			seen = append(seen, state+" "+j.Status)
			return nil
		}
	})
	mu.Lock()
	srv = e.srv
	mu.Unlock()
	e.setupModelDeployment()
	e.runner.holdJobs()
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	mu.Lock()
	job = decode[mlapi.BatchJobResource](t, data).Name
	mu.Unlock()
	<-e.runner.started
	e.runner.releaseAll()
	e.waitStatus(job, "Completed")

	mu.Lock()
	defer mu.Unlock()
	for _, s := range seen {
		if s == "output "+statusRunning || s == "output "+statusFinalizing {
			return
		}
	}
	t.Errorf("no sync ran between the output's write and the job's end; syncs saw %q", seen)
}
