package localws

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestFollowJob follows a job the way a client streams it: the events
// route (status changes, progress, log lines with offsets, long poll), run
// details with logFiles, a ranged log download, and the outputs listing
// whose files download through the blob API.
func TestFollowJob(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.runner.holdJobs()
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	run := "/history/v1.0" + wsPath() + "/runs/" + job
	<-e.runner.started
	e.waitStatus(job, "Running")

	var all []jobEvent
	cursor := ""
	poll := func(wait string) eventsReply {
		t.Helper()
		resp, data := e.do(http.MethodGet, run+"/events?wait="+wait+"&cursor="+cursor, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("events: %d %s", resp.StatusCode, data)
		}
		r := decode[eventsReply](t, data)
		all = append(all, r.Events...)
		cursor = r.Cursor
		return r
	}
	first := poll("0")
	if first.Status != "Running" || first.Terminal {
		t.Errorf("first reply status %s terminal %v", first.Status, first.Terminal)
	}
	// Nothing new: a held request returns empty after the wait.
	start := time.Now()
	if r := poll("0.3"); len(r.Events) != 0 {
		t.Errorf("idle poll returned %d events: %+v", len(r.Events), r.Events)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("wait=0.3 returned at once")
	}
	// Release the job while a long poll is waiting: it wakes up.
	go func() {
		time.Sleep(100 * time.Millisecond)
		e.runner.releaseAll()
	}()
	for i := 0; i < 50; i++ {
		if r := poll("10"); r.Terminal {
			break
		}
	}
	var statuses []string
	var logLines []string
	var progress *Progress
	for _, ev := range all {
		switch ev.Type {
		case "status":
			statuses = append(statuses, ev.Status)
		case "progress":
			progress = ev.Progress
		case "log":
			if ev.Offset == nil || ev.File != "logs/user/stdout/0/process000.stdout.txt" {
				t.Errorf("log event %+v lacks an offset or names another file", ev)
			}
			logLines = append(logLines, fmt.Sprintf("%d:%s", *ev.Offset, ev.Line))
		}
	}
	if got := strings.Join(statuses, ","); got != "Preparing,Running,Finalizing,Completed" {
		t.Errorf("statuses %s, want Preparing,Running,Finalizing,Completed", got)
	}
	if progress == nil || progress.ItemsTotal != 2 || progress.MiniBatchesSucceeded != 1 {
		t.Errorf("last progress %+v", progress)
	}
	wantLines := "0:init() done,12:scored a.csv,25:scored b.csv"
	if got := strings.Join(logLines, ","); got != wantLines {
		t.Errorf("log lines %s, want %s", got, wantLines)
	}

	// Run details.
	resp, data = e.do(http.MethodGet, run+"/details", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("details: %d %s", resp.StatusCode, data)
	}
	d := decode[runDetails](t, data)
	logURL, ok := d.LogFiles["logs/user/stdout/0/process000.stdout.txt"]
	if d.Status != "Completed" || d.EndTimeUTC == nil || d.StartTimeUTC == nil || !ok || d.Progress.ItemsTotal != 2 || d.Error != nil {
		t.Errorf("details %+v", d)
	}
	// Tail the log from an offset with a Range request.
	resp, data = e.do(http.MethodGet, logURL, nil, map[string]string{"Range": "bytes=12-"})
	if resp.StatusCode != http.StatusPartialContent || string(data) != "scored a.csv\nscored b.csv\n" {
		t.Errorf("ranged log: %d %q", resp.StatusCode, data)
	}

	// Outputs: listed with blob URLs, downloaded through the blob API.
	resp, data = e.do(http.MethodGet, run+"/outputs", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outputs: %d %s", resp.StatusCode, data)
	}
	outs := decode[listPage[jobOutputListing]](t, data).Value
	if len(outs) != 1 || outs[0].Name != "score" || outs[0].Path != "azureml/"+job+"/score/" || outs[0].File != "predictions.csv" || len(outs[0].Files) != 1 {
		t.Fatalf("outputs %+v", outs)
	}
	f := outs[0].Files[0]
	if f.URL != e.url+"/blob/"+DefaultStorageAccount+"/"+e.container()+"/azureml/"+job+"/score/predictions.csv" {
		t.Errorf("file URL %s", f.URL)
	}
	dl, err := e.blobClient().DownloadStream(context.Background(), outs[0].Container, f.Path, nil)
	if err != nil {
		t.Fatalf("download output: %v", err)
	}
	content, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if string(content) != "a.csv 1\nb.csv 1\n" || int64(len(content)) != f.Size {
		t.Errorf("output %q (listed size %d)", content, f.Size)
	}

	// The ARM job shows the output and the data-plane job the final status.
	pj := e.waitStatus(job, "Completed")
	if o, ok := pj.Outputs["score"]; !ok || o == nil {
		t.Errorf("ARM job outputs %v", pj.Outputs)
	}
	for _, j := range e.listDataPlaneJobs("ep") {
		if j.Name == job && j.Properties.Status != "Completed" {
			t.Errorf("data-plane status %s", j.Properties.Status)
		}
	}
}

// TestCancelAndQueue runs with one job slot: the second job queues, cancel
// stops the running one (the SDK's BeginCancel poller completes) and the
// queued one then runs; canceling a queued job stops it before it starts.
func TestCancelAndQueue(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxConcurrentJobs = 1 })
	e.setupModelDeployment()
	e.runner.holdJobs()
	body := folderBody("azureml://datastores/workspaceblobstore/paths/data/in/")
	names := make([]string, 3)
	for i := range names {
		resp, data := e.invoke("ep", body, nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("invoke %d: %d %s", i, resp.StatusCode, data)
		}
		j := decode[mlapi.BatchJobResource](t, data)
		names[i] = j.Name
		want := map[bool]string{true: "Preparing", false: "Queued"}[i == 0]
		if j.Properties.Status != want {
			t.Errorf("job %d created %s, want %s", i, j.Properties.Status, want)
		}
	}
	if got := <-e.runner.started; got != names[0] {
		t.Fatalf("first started job %s, want %s", got, names[0])
	}
	e.waitStatus(names[0], "Running")
	e.waitStatus(names[1], "Queued")

	ctx := context.Background()
	jobs := e.factory().NewJobsClient()
	// Cancel the queued third job: it never runs.
	p3, err := jobs.BeginCancel(ctx, rg, ws, names[2], nil)
	if err != nil {
		t.Fatalf("cancel queued: %v", err)
	}
	if _, err := p3.PollUntilDone(ctx, pollFast); err != nil {
		t.Fatalf("cancel queued: poll: %v", err)
	}
	e.waitStatus(names[2], "Canceled")

	// Cancel the running first job with a raw request, checking the shape.
	resp, data := e.do(http.MethodPost, wsPath()+"/jobs/"+names[0]+"/cancel?api-version=2022-12-01-preview", nil, nil)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" || string(data) != "null" {
		t.Fatalf("cancel running: %d %q Location %q", resp.StatusCode, data, resp.Header.Get("Location"))
	}
	resp, _ = e.do(http.MethodGet, resp.Header.Get("Location"), nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("cancel operation result: %d, want 200 once the job stopped", resp.StatusCode)
	}
	e.waitStatus(names[0], "Canceled")
	if got := <-e.runner.started; got != names[1] {
		t.Fatalf("next started job %s, want the queued %s", got, names[1])
	}
	e.runner.releaseAll()
	e.waitStatus(names[1], "Completed")
	if _, ran := e.runner.spec(names[2]); ran {
		t.Errorf("the canceled queued job ran")
	}
	// Cancelling a finished job changes nothing.
	p, err := jobs.BeginCancel(ctx, rg, ws, names[1], nil)
	if err != nil {
		t.Fatalf("cancel completed: %v", err)
	}
	if _, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond}); err != nil {
		t.Fatalf("cancel completed: poll: %v", err)
	}
	e.waitStatus(names[1], "Completed")
	if _, err := jobs.Get(ctx, rg, ws, "no-such-job", nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("get missing job: %v, want 404", err)
	}
}

// TestJobFailure records the runner's error as the failure reason.
func TestJobFailure(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.runner.err = fmt.Errorf("No succeeded mini batch item returned from run()")
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	e.waitStatus(job, "Failed")
	_, data = e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+"/details", nil, nil)
	d := decode[runDetails](t, data)
	if d.Error == nil || d.Error.Error.Message != "No succeeded mini batch item returned from run()" {
		t.Errorf("details error %+v", d.Error)
	}
}

// TestJobLists: the ARM job list (with its tag and jobType filters) and
// the data-plane list (with its deployment filter) see every job.
func TestJobLists(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.createDeployment("ep", "green", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:score-code:1"), ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model:1")},
	})
	body := folderBody("azureml://datastores/workspaceblobstore/paths/data/in/")
	for _, dep := range []string{"blue", "green", "green"} {
		if resp, data := e.invoke("ep", body, map[string]string{mlapi.HeaderDeployment: dep}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("invoke %s: %d %s", dep, resp.StatusCode, data)
		}
	}
	ctx := context.Background()
	count := func(opts *armmachinelearning.JobsClientListOptions) int {
		n := 0
		pager := e.factory().NewJobsClient().NewListPager(rg, ws, opts)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list jobs: %v", err)
			}
			n += len(page.Value)
		}
		return n
	}
	for _, tc := range []struct {
		name string
		opts *armmachinelearning.JobsClientListOptions
		want int
	}{
		{"all", nil, 3},
		{"tag key", &armmachinelearning.JobsClientListOptions{Tag: to.Ptr("azureml.batchrun")}, 3},
		{"tag value", &armmachinelearning.JobsClientListOptions{Tag: to.Ptr("azureml.deploymentname=green")}, 2},
		{"other tag", &armmachinelearning.JobsClientListOptions{Tag: to.Ptr("nope")}, 0},
		{"pipeline jobs", &armmachinelearning.JobsClientListOptions{JobType: to.Ptr("Pipeline")}, 3},
		{"command jobs", &armmachinelearning.JobsClientListOptions{JobType: to.Ptr("Command")}, 0},
	} {
		if got := count(tc.opts); got != tc.want {
			t.Errorf("ARM list %s: %d jobs, want %d", tc.name, got, tc.want)
		}
	}
	if n := len(e.listDataPlaneJobs("ep")); n != 3 {
		t.Errorf("data-plane list: %d jobs, want 3", n)
	}
	resp, data := e.do(http.MethodGet, "/mferp/managementfrontend"+wsPath()+"/batchEndpoints/ep/jobs?api-version=2020-09-01-dataplanepreview&deployment=green", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("filtered list: %d %s", resp.StatusCode, data)
	}
	for _, j := range decode[mlapi.BatchJobList](t, data).Value {
		if j.Properties.Tags["azureml.deploymentname"] != "green" {
			t.Errorf("deployment filter let %s through", j.Properties.Tags["azureml.deploymentname"])
		}
	}
	if n := len(decode[mlapi.BatchJobList](t, data).Value); n != 2 {
		t.Errorf("deployment=green: %d jobs, want 2", n)
	}
}
