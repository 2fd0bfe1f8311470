package localws

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestStateSurvivesRestart stops a server with a running and a queued job
// and starts another on the same folder: resources, assets, blobs, the
// account key and jobs are still there; the running job is Failed with the
// documented reason and the queued one runs.
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	one := func(o *Options) { o.MaxConcurrentJobs = 1 }
	a := newEnvIn(t, dir, one)
	setup := a.setupModelDeployment()
	keyBefore := encodeKey(a.srv.accountKey)
	a.runner.holdJobs()
	body := folderBody("azureml://datastores/workspaceblobstore/paths/data/in/")
	var names []string
	for i := 0; i < 2; i++ {
		resp, data := a.invoke("ep", body, map[string]string{mlapi.HeaderRepeatability: []string{"r-0", "r-1"}[i]})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("invoke: %d %s", resp.StatusCode, data)
		}
		names = append(names, decode[mlapi.BatchJobResource](t, data).Name)
	}
	<-a.runner.started
	a.waitStatus(names[0], "Running")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	b := newEnvIn(t, dir, one)
	f := b.factory()
	bg := context.Background()
	ep, err := f.NewBatchEndpointsClient().Get(bg, rg, ws, "ep", nil)
	if err != nil || *ep.Properties.Defaults.DeploymentName != setup.deployment || *ep.Properties.ScoringURI != b.url+"/endpoints/ep/jobs" {
		t.Fatalf("endpoint after restart: %v %+v", err, ep)
	}
	if _, err := f.NewBatchDeploymentsClient().Get(bg, rg, ws, "ep", "blue", nil); err != nil {
		t.Errorf("deployment after restart: %v", err)
	}
	if c, err := f.NewCodeContainersClient().Get(bg, rg, ws, "score-code", nil); err != nil || *c.Properties.LatestVersion != "1" {
		t.Errorf("code container after restart: %v", err)
	}
	if _, err := f.NewModelVersionsClient().Get(bg, rg, ws, "heart-model", "1", nil); err != nil {
		t.Errorf("model version after restart: %v", err)
	}
	if encodeKey(b.srv.accountKey) != keyBefore || b.srv.container != a.srv.container {
		t.Errorf("the storage account key or container changed across the restart")
	}
	dl, err := b.blobClient().DownloadStream(bg, b.container(), "data/in/a.csv", nil)
	if err != nil {
		t.Fatalf("blob after restart: %v", err)
	}
	content, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if string(content) != "1,2\n" {
		t.Errorf("blob content %q", content)
	}

	b.waitStatus(names[0], "Failed")
	_, data := b.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+names[0]+"/details", nil, nil)
	if d := decode[runDetails](t, data); d.Error == nil || d.Error.Error.Message != stopReason {
		t.Errorf("stopped job's error %+v, want %q", d.Error, stopReason)
	}
	b.waitStatus(names[1], "Completed")
	// The repeatability record survives too.
	resp, data := b.invoke("ep", body, map[string]string{mlapi.HeaderRepeatability: "r-1"})
	if resp.StatusCode != http.StatusCreated || decode[mlapi.BatchJobResource](t, data).Name != names[1] {
		t.Errorf("repeat after restart: %d %s", resp.StatusCode, data)
	}
	if err := b.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	// A crash leaves a job Running in the database: the next start fails it.
	st, err := openSQLiteStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := st.GetJob(bg, names[1])
	if err != nil {
		t.Fatal(err)
	}
	crashed.Status, crashed.EndedAt, crashed.Error = statusRunning, nil, nil
	if err := st.UpdateJob(bg, crashed); err != nil {
		t.Fatal(err)
	}
	st.Close()
	c := newEnvIn(t, dir, one)
	pj := c.waitStatus(names[1], "Failed")
	if *pj.Status != "Failed" {
		t.Errorf("crashed job %s", *pj.Status)
	}
	j, _ := c.srv.store.GetJob(bg, names[1])
	if j.Error == nil || j.Error.Message != stopReason {
		t.Errorf("crashed job error %+v", j.Error)
	}
}
