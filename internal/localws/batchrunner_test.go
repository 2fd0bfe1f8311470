package localws

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestBatchRunnerEndToEnd runs a real job through the default Runner (the
// Python batch runtime): upload, invoke, follow to Completed, read the
// predictions through the blob API and find the runtime's logs.
func TestBatchRunnerEndToEnd(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Runner = nil })
	e.setupModelDeployment()
	e.upload(map[string]string{
		"LocalUpload/code1/src/score.py": "import os\n\ndef init():\n    global model\n    model = os.environ['AZUREML_MODEL_DIR']\n\n" +
			"def run(mini_batch):\n    return [os.path.basename(f) + ' ok' for f in mini_batch]\n",
	})
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	pj := e.waitStatus(job, "Completed", "Failed")
	run := "/history/v1.0" + wsPath() + "/runs/" + job
	_, data = e.do(http.MethodGet, run+"/details", nil, nil)
	d := decode[runDetails](t, data)
	if *pj.Status != "Completed" {
		t.Fatalf("job %s: %+v", *pj.Status, d.Error)
	}
	if _, ok := d.LogFiles["logs/job_progress_overview.txt"]; !ok || d.Progress.ItemsTotal != 2 || d.Progress.RowsWritten != 2 {
		t.Errorf("details: logs %v progress %+v", d.LogFiles, d.Progress)
	}
	_, data = e.do(http.MethodGet, run+"/outputs", nil, nil)
	outs := decode[listPage[jobOutputListing]](t, data).Value
	if len(outs) != 1 || len(outs[0].Files) != 1 {
		t.Fatalf("outputs %+v", outs)
	}
	dl, err := e.blobClient().DownloadStream(context.Background(), outs[0].Container, outs[0].Files[0].Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if got := strings.TrimSpace(string(content)); got != "a.csv ok\nb.csv ok" {
		t.Errorf("predictions %q", got)
	}
}
