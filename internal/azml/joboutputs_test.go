package azml

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/mlbatch/ml/internal/clierr"
)

const (
	pipelineJob = "pj"
	// The asset ids run history gives a job's unregistered outputs.
	scoresAsset   = "azureml://locations/westus2/workspaces/7e9f2f5a-0000-4000-8000-000000000001/data/azureml_pj_output_data_scores/versions/1"
	preparedAsset = "azureml://locations/westus2/workspaces/7e9f2f5a-0000-4000-8000-000000000001/data/azureml_pj_output_data_prepared/versions/1"
)

// pipelineJobWorld is a workspace holding one finished pipeline job of a
// pipeline component deployment, with two named outputs: scores at the
// service's default folder azureml/<job>/scores/, prepared at a custom
// path; its artifacts are on workspaceartifactstore.
func pipelineJobWorld(t *testing.T) (*fakeARM, *Client) {
	t.Helper()
	inst, bc, cred := startBlobService(t)
	ctx := context.Background()
	containerSAS := func(name string) string {
		if _, err := bc.CreateContainer(ctx, name, nil); err != nil {
			t.Fatal(err)
		}
		perms := sas.ContainerPermissions{Read: true, List: true}
		q, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
			ContainerName: name, Permissions: perms.String()}.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		return q.Encode()
	}
	arm := newFakeARM(containerSAS("azureml-blobstore"))
	arm.extraStores = map[string][2]string{"workspaceartifactstore": {"azureml", containerSAS("azureml")}}
	for name, content := range map[string]string{
		"azureml-blobstore/azureml/pj/scores/part-0.csv":        "id,score\n1,0.5\n",
		"azureml-blobstore/azureml/pj/scores/sub/part-1.csv":    "id,score\n2,0.7\n",
		"azureml-blobstore/azureml/pj/scoresextra/other.csv":    "not an output of scores",
		"azureml-blobstore/custom/prepared/clean.csv":           "id\n1\n2\n",
		"azureml-blobstore/azureml/pj/unreported/found.txt":     "written by a step, not in run history",
		"azureml/ExperimentRun/dcid.pj/logs/azureml/job.txt":    "pipeline log\n",
		"azureml/ExperimentRun/dcid.pj/user_logs/std_log.txt":   "step log\n",
		"azureml-blobstore/azureml/other-job/scores/part-0.csv": "another job",
	} {
		cont, blob, _ := strings.Cut(name, "/")
		if _, err := bc.UploadBuffer(ctx, cont, blob, []byte(content), nil); err != nil {
			t.Fatal(err)
		}
	}

	// The ARM job: the spec example's PipelineJob shape with this job's
	// values.
	var fixture struct {
		Responses struct {
			OK struct {
				Body map[string]any `json:"body"`
			} `json:"200"`
		} `json:"responses"`
	}
	data, err := os.ReadFile(filepath.Join("testdata", "spec-2025-12-01", "PipelineJob_get.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	job := fixture.Responses.OK.Body
	job["id"], job["name"] = fakeWS+"/jobs/"+pipelineJob, pipelineJob
	props := job["properties"].(map[string]any)
	props["status"] = "Completed"
	props["tags"] = map[string]any{"azureml.batchrun": "true", "azureml.jobtype": "azureml.pipelinejob"}
	props["outputs"] = map[string]any{
		"scores":   map[string]any{"jobOutputType": "uri_folder", "mode": "ReadWriteMount"},
		"prepared": map[string]any{"jobOutputType": "uri_folder", "mode": "ReadWriteMount", "uri": "azureml://datastores/workspaceblobstore/paths/custom/prepared/"},
	}
	arm.resources["/jobs/"+pipelineJob] = job

	// Run history and the data registry, in the shapes the SDK's
	// runhistory and dataset_dataplane clients read.
	arm.dataPlane["/runs/"+pipelineJob+"/details"] = map[string]any{"runId": pipelineJob, "status": "Completed"}
	arm.dataPlane["/rundata"] = map[string]any{"runMetadata": map[string]any{"runId": pipelineJob, "status": "Completed",
		"outputs": map[string]any{
			"scores":   map[string]any{"assetId": scoresAsset, "type": "UriFolder"},
			"prepared": map[string]any{"assetId": preparedAsset, "type": "UriFolder"},
		}}}
	long := "azureml://subscriptions/" + fakeSub + "/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/"
	arm.dataPlane["/dataversion/batchGetResolvedUris"] = map[string]any{"values": map[string]any{
		scoresAsset:   map[string]any{"uri": long + "azureml/pj/scores/", "type": "UriFolder"},
		preparedAsset: map[string]any{"uri": long + "custom/prepared/", "type": "UriFolder"},
	}}
	u, err := url.Parse(inst.ServiceURL)
	if err != nil {
		t.Fatal(err)
	}
	return arm, newTestClient(t, arm, u, false)
}

// dataPlaneCalls lists the data-plane requests after discovery.
func dataPlaneCalls(arm *fakeARM) []fakeRequest {
	arm.mu.Lock()
	defer arm.mu.Unlock()
	var out []fakeRequest
	for _, r := range arm.requests {
		if r.Host == dataHost && r.Path != "/discovery" {
			out = append(out, r)
		}
	}
	return out
}

func downloadAll(t *testing.T, c *Client, outs []JobOutput, root string) map[string]map[string][]byte {
	t.Helper()
	got := map[string]map[string][]byte{}
	for _, o := range outs {
		dir := filepath.Join(root, o.Name)
		if _, err := c.DownloadOutput(context.Background(), o, dir, DownloadOptions{}); err != nil {
			t.Fatalf("download %s: %v", o.Name, err)
		}
		got[o.Name] = tree(t, dir)
	}
	return got
}

// TestPipelineJobNamedOutputsLikeAz: --output-name x asks run history's
// rundata for the job's outputs and the data registry for x's asset only,
// with the bodies the SDK sends, and downloads exactly x's folder.
func TestPipelineJobNamedOutputsLikeAz(t *testing.T) {
	arm, c := pipelineJobWorld(t)
	ctx := context.Background()
	outs, err := c.JobOutputs(ctx, pipelineJob, OutputSelection{Name: "scores"})
	if err != nil {
		t.Fatal(err)
	}
	want := []JobOutput{{Name: "scores", Datastore: "workspaceblobstore", Path: "azureml/pj/scores/"}}
	if !reflect.DeepEqual(outs, want) {
		t.Fatalf("outputs = %+v, want %+v", outs, want)
	}
	calls := dataPlaneCalls(arm)
	if len(calls) != 3 {
		t.Fatalf("data-plane requests = %+v, want details, rundata, batchGetResolvedUris", calls)
	}
	rundata := calls[1]
	if rundata.Method != http.MethodPost || rundata.Path != "/history/v1.0"+fakeWS+"/rundata" || rundata.Query != "" {
		t.Errorf("rundata request = %s %s?%s", rundata.Method, rundata.Path, rundata.Query)
	}
	if wantBody := map[string]any{"runId": pipelineJob, "selectRunMetadata": true, "selectRunDefinition": true, "selectJobSpecification": true}; !reflect.DeepEqual(rundata.Body, wantBody) {
		t.Errorf("rundata body = %v, want %v", rundata.Body, wantBody)
	}
	resolve := calls[2]
	if resolve.Method != http.MethodPost || resolve.Path != "/data/v1.0"+fakeWS+"/dataversion/batchGetResolvedUris" || resolve.Query != "" {
		t.Errorf("resolve request = %s %s?%s", resolve.Method, resolve.Path, resolve.Query)
	}
	if wantBody := map[string]any{"values": []any{scoresAsset}}; !reflect.DeepEqual(resolve.Body, wantBody) {
		t.Errorf("resolve body = %v, want %v", resolve.Body, wantBody)
	}

	got := downloadAll(t, c, outs, t.TempDir())
	wantFiles := map[string]map[string][]byte{"scores": {"part-0.csv": []byte("id,score\n1,0.5\n"), "sub/part-1.csv": []byte("id,score\n2,0.7\n")}}
	if !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("files = %q, want %q", got, wantFiles)
	}

	// An output at a custom path comes from the registry's URI too.
	outs, err = c.JobOutputs(ctx, pipelineJob, OutputSelection{Name: "prepared"})
	if err != nil || len(outs) != 1 || outs[0].Path != "custom/prepared/" {
		t.Fatalf("prepared = %+v, %v", outs, err)
	}
}

// TestPipelineJobAllOutputsAddTheArtifacts: --all resolves every named
// output and adds the default artifacts, at the SDK's fallback
// (workspaceartifactstore ExperimentRun/dcid.<job>/) when the job names no
// "default" output; nothing is probed.
func TestPipelineJobAllOutputsAddTheArtifacts(t *testing.T) {
	arm, c := pipelineJobWorld(t)
	outs, err := c.JobOutputs(context.Background(), pipelineJob, OutputSelection{Artifacts: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []JobOutput{
		{Name: "default", Datastore: "workspaceartifactstore", Path: "ExperimentRun/dcid.pj/"},
		{Name: "prepared", Datastore: "workspaceblobstore", Path: "custom/prepared/"},
		{Name: "scores", Datastore: "workspaceblobstore", Path: "azureml/pj/scores/"},
	}
	if !reflect.DeepEqual(outs, want) {
		t.Fatalf("outputs = %+v, want %+v", outs, want)
	}
	calls := dataPlaneCalls(arm)
	if len(calls) != 3 {
		t.Fatalf("data-plane requests = %+v", calls)
	}
	ids, _ := calls[2].Body["values"].([]any)
	if len(ids) != 2 {
		t.Errorf("resolve body = %v, want both asset ids", calls[2].Body)
	}
	if got := arm.seen(http.MethodGet, "/datastores?"); len(got) != 0 {
		t.Errorf("--all probed the default datastore: %+v", got)
	}
	got := downloadAll(t, c, outs, t.TempDir())
	wantFiles := map[string]map[string][]byte{
		"default":  {"logs/azureml/job.txt": []byte("pipeline log\n"), "user_logs/std_log.txt": []byte("step log\n")},
		"prepared": {"clean.csv": []byte("id\n1\n2\n")},
		"scores":   {"part-0.csv": []byte("id,score\n1,0.5\n"), "sub/part-1.csv": []byte("id,score\n2,0.7\n")},
	}
	if !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("files = %q, want %q", got, wantFiles)
	}
}

// TestPipelineJobUnreportedOutput: an output run history does not report
// is looked for, as the SDK does, on the default datastore (asked with
// isDefault=true) at azureml/<job>/<name>/ and then dataset/<job>/<name>/;
// one found in neither is a usage error listing the job's outputs.
func TestPipelineJobUnreportedOutput(t *testing.T) {
	arm, c := pipelineJobWorld(t)
	ctx := context.Background()
	outs, err := c.JobOutputs(ctx, pipelineJob, OutputSelection{Name: "unreported"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []JobOutput{{Name: "unreported", Datastore: "workspaceblobstore", Path: "azureml/pj/unreported/"}}; !reflect.DeepEqual(outs, want) {
		t.Fatalf("outputs = %+v, want %+v", outs, want)
	}
	var list []fakeRequest
	for _, r := range arm.seen(http.MethodGet, "/datastores") {
		if r.Path == "/datastores" {
			list = append(list, r)
		}
	}
	if len(list) != 1 || !strings.Contains(list[0].Query, "isDefault=true") {
		t.Errorf("default datastore requests = %+v, want one list with isDefault=true", list)
	}
	for _, r := range dataPlaneCalls(arm) {
		if strings.Contains(r.Path, "batchGetResolvedUris") {
			t.Errorf("resolved assets for an output run history does not report: %+v", r)
		}
	}

	_, err = c.JobOutputs(ctx, pipelineJob, OutputSelection{Name: "nope"})
	if err == nil || !clierr.IsUsage(err) {
		t.Fatalf("missing output: %v, want a usage error", err)
	}
	for _, s := range []string{"--output-name nope", "job pj", "its outputs are: prepared, scores", "--all"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// TestDownloadOutputOfAFile: a uri_file output (a path without a trailing
// "/") downloads that one blob under its base name, as the SDK names a blob
// that is the whole prefix.
func TestDownloadOutputOfAFile(t *testing.T) {
	_, c := pipelineJobWorld(t)
	dir := t.TempDir()
	res, err := c.DownloadOutput(context.Background(), JobOutput{Name: "f", Datastore: "workspaceblobstore", Path: "custom/prepared/clean.csv"}, dir, DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dir); len(res.Files) != 1 || !reflect.DeepEqual(got, map[string][]byte{"clean.csv": []byte("id\n1\n2\n")}) {
		t.Errorf("files = %q (%+v)", got, res.Files)
	}
	// Without the slash and with no blob of that name it is a folder, and
	// never a sibling folder sharing the prefix.
	dir = t.TempDir()
	if _, err := c.DownloadOutput(context.Background(), JobOutput{Name: "s", Datastore: "workspaceblobstore", Path: "azureml/pj/scores"}, dir, DownloadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dir); len(got) != 2 || got["part-0.csv"] == nil {
		t.Errorf("folder without a slash: %q", got)
	}
}

func TestParseDatastoreURI(t *testing.T) {
	for _, tt := range []struct {
		in, ds, path string
		ok           bool
	}{
		{"azureml://datastores/workspaceblobstore/paths/azureml/j/o/", "workspaceblobstore", "azureml/j/o/", true},
		{"azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/d/paths/a/b.csv", "d", "a/b.csv", true},
		{"azureml://subscriptions/s/resourceGroups/rg/workspaces/ws/datastores/d/paths/x/", "d", "x/", true},
		{"azureml://datastores/d/paths/", "", "", false},
		{"https://acct.blob.core.windows.net/c/x", "", "", false},
		{"azureml://jobs/j/outputs/o", "", "", false},
	} {
		ds, p, ok := parseDatastoreURI(tt.in)
		if ds != tt.ds || p != tt.path || ok != tt.ok {
			t.Errorf("parseDatastoreURI(%q) = %q, %q, %v; want %q, %q, %v", tt.in, ds, p, ok, tt.ds, tt.path, tt.ok)
		}
	}
}

// TestPipelineJobModelOutput: an mlflow_model output is resolved by the
// model registry's batchGetResolvedUris (its answer's "path"), not the
// data registry's.
func TestPipelineJobModelOutput(t *testing.T) {
	arm, c := pipelineJobWorld(t)
	const modelAsset = "azureml://locations/westus2/workspaces/7e9f2f5a-0000-4000-8000-000000000001/models/azureml_pj_output_mlflow_model_trained/versions/1"
	arm.dataPlane["/rundata"].(map[string]any)["runMetadata"].(map[string]any)["outputs"].(map[string]any)["trained"] =
		map[string]any{"assetId": modelAsset, "type": "MLFlowModel"}
	arm.dataPlane["/models/batchGetResolvedUris"] = map[string]any{"values": map[string]any{
		modelAsset: map[string]any{"path": "azureml://datastores/workspaceblobstore/paths/azureml/pj/trained/"},
	}}
	outs, err := c.JobOutputs(context.Background(), pipelineJob, OutputSelection{Name: "trained"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []JobOutput{{Name: "trained", Datastore: "workspaceblobstore", Path: "azureml/pj/trained/"}}; !reflect.DeepEqual(outs, want) {
		t.Fatalf("outputs = %+v, want %+v", outs, want)
	}
	calls := dataPlaneCalls(arm)
	last := calls[len(calls)-1]
	if last.Method != http.MethodPost || last.Path != "/modelregistry/v1.0"+fakeWS+"/models/batchGetResolvedUris" ||
		!reflect.DeepEqual(last.Body, map[string]any{"values": []any{modelAsset}}) {
		t.Errorf("model resolve request = %+v", last)
	}
	for _, r := range calls {
		if strings.HasPrefix(r.Path, "/data/v1.0") {
			t.Errorf("data registry asked for a model output: %+v", r)
		}
	}
}
