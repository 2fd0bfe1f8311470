package localws

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestInvokeBodyForms posts the camelCase body the Azure CLI sends and the
// PascalCase body of the REST docs; both create a job that runs to
// Completed with the uploaded data as its input.
func TestInvokeBodyForms(t *testing.T) {
	e := newEnv(t)
	setup := e.setupModelDeployment()
	cases := []struct {
		name, body, wantKey, wantType string
	}{
		{"camelCase single input", `{"properties":{"inputData":{"UriFolder":{"uri":"azureml://datastores/workspaceblobstore/paths/data/in/","jobInputType":"UriFolder"}}}}`, "UriFolder", "UriFolder"},
		{"PascalCase named input", `{"properties":{"InputData":{"heart_dataset":{"JobInputType":"UriFolder","Uri":"azureml://datastores/workspaceblobstore/paths/data/in"}}}}`, "heart_dataset", "UriFolder"},
		{"PascalCase uri_file", `{"Properties":{"InputData":{"UriFile":{"JobInputType":"UriFile","Uri":"azureml://datastores/workspaceblobstore/paths/data/single.csv"}}}}`, "UriFile", "UriFile"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.invoke("ep", tc.body, map[string]string{mlapi.HeaderRepeatability: fmt.Sprintf("req-%s", tc.name)})
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			job := decode[mlapi.BatchJobResource](t, body)
			if !strings.HasPrefix(job.Name, "batchjob-") || job.Type != mlapi.BatchJobResourceType {
				t.Errorf("name %q type %q", job.Name, job.Type)
			}
			if want := wsPath() + "/batchEndpoints/ep/deployments/blue/jobs/" + job.Name; job.ID != want {
				t.Errorf("id %s, want %s", job.ID, want)
			}
			if got := resp.Header.Get(mlapi.HeaderDeployment); got != setup.deployment {
				t.Errorf("%s header = %q", mlapi.HeaderDeployment, got)
			}
			if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, e.url+"/mferp/managementfrontend/") {
				t.Errorf("Location = %q", loc)
			}
			in, ok := job.Properties.InputData[tc.wantKey]
			if !ok || in.JobInputType != tc.wantType || in.Mode != "ReadOnlyMount" {
				t.Errorf("inputData = %+v, want key %s type %s mode ReadOnlyMount", job.Properties.InputData, tc.wantKey, tc.wantType)
			}
			if job.Properties.Tags["azureml.batchrun"] != "true" || job.Properties.Tags["azureml.deploymentname"] != "blue" {
				t.Errorf("tags = %v", job.Properties.Tags)
			}
			if s := job.Properties.Status; s != "Preparing" && s != "Queued" {
				t.Errorf("status %s, want Preparing or Queued", s)
			}
			e.waitStatus(job.Name, "Completed")
			spec, ok := e.runner.spec(job.Name)
			if !ok {
				t.Fatalf("runner never saw %s", job.Name)
			}
			if len(spec.Inputs) != 1 || !strings.HasPrefix(spec.Inputs[0], e.dir) {
				t.Errorf("runner inputs %v, want one path under %s", spec.Inputs, e.dir)
			}
			if spec.ScoringScript != "score.py" || !strings.HasSuffix(spec.CodeDir, filepath.FromSlash("LocalUpload/code1/src")) {
				t.Errorf("code %s / %s", spec.CodeDir, spec.ScoringScript)
			}
			if spec.ModelName != "heart-model" || spec.ModelVersion != "1" || spec.ModelType != "custom_model" || !strings.HasSuffix(spec.ModelDir, filepath.FromSlash("LocalUpload/model1/model")) {
				t.Errorf("model %s:%s (%s) at %s", spec.ModelName, spec.ModelVersion, spec.ModelType, spec.ModelDir)
			}
			// The runtime may hard-link read-only model files into
			// AZUREML_MODEL_DIR: the server makes them read-only.
			if info, err := os.Stat(filepath.Join(spec.ModelDir, "weights.txt")); err != nil {
				t.Error(err)
			} else if info.Mode().Perm()&0o222 != 0 {
				t.Errorf("model file weights.txt has mode %v; want read-only", info.Mode())
			}
			if spec.MiniBatchSize != 10 || spec.OutputFileName != "predictions.csv" || spec.MaxRetries != 3 || spec.Timeout.Seconds() != 30 || spec.ErrorThreshold != -1 {
				t.Errorf("settings %+v", spec)
			}
		})
	}
}

// TestInvokeSettingsOverride checks that per-job settings and a datastore
// output override the deployment's, and that the output lands where asked.
func TestInvokeSettingsOverride(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	body := `{"properties":{"inputData":{"UriFolder":{"uri":"azureml:/subscriptions/` + DefaultSubscription + `/resourceGroups/local/providers/Microsoft.MachineLearningServices/workspaces/local/datastores/workspaceblobstore/paths/data/in","jobInputType":"UriFolder"}},
		"outputData":{"output_name":{"jobOutputType":"UriFile","uri":"azureml://datastores/workspaceblobstore/paths/results/run1"}},
		"miniBatchSize":5,"compute":{"isLocal":true,"instanceCount":2},"name":"my-job","outputFileName":"scores.csv","loggingLevel":"debug",
		"retrySettings":{"maxRetries":1,"timeout":"PT2M"},"errorThreshold":4,"properties":{"experimentName":"exp1"}}}`
	resp, data := e.invoke("ep", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data)
	if job.Name != "my-job" {
		t.Fatalf("job name %q, want my-job", job.Name)
	}
	pj := e.waitStatus("my-job", "Completed")
	if *pj.ExperimentName != "exp1" {
		t.Errorf("experimentName %s, want exp1", *pj.ExperimentName)
	}
	spec, _ := e.runner.spec("my-job")
	want := RunSpec{MiniBatchSize: 5, InstanceCount: 2, OutputFileName: "scores.csv", LoggingLevel: "Debug", MaxRetries: 1, ErrorThreshold: 4}
	if spec.MiniBatchSize != want.MiniBatchSize || spec.InstanceCount != want.InstanceCount || spec.OutputFileName != want.OutputFileName ||
		spec.LoggingLevel != want.LoggingLevel || spec.MaxRetries != want.MaxRetries || spec.ErrorThreshold != want.ErrorThreshold || spec.Timeout.Minutes() != 2 {
		t.Errorf("spec %+v, want settings %+v and 2m timeout", spec, want)
	}
	var buf bytes.Buffer
	resp2, err := e.blobClient().DownloadStream(context.Background(), e.container(), "results/run1/scores.csv", nil)
	if err != nil {
		t.Fatalf("download output through the blob API: %v", err)
	}
	_, _ = io.Copy(&buf, resp2.Body)
	resp2.Body.Close()
	if got := buf.String(); got != "a.csv 1\nb.csv 1\n" {
		t.Errorf("output = %q", got)
	}
}

// TestInvokeRepeatability sends the same repeatability_request-id again,
// sequentially and concurrently: one job, the same 201 every time.
func TestInvokeRepeatability(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	body := folderBody("azureml://datastores/workspaceblobstore/paths/data/in/")
	hdr := map[string]string{mlapi.HeaderRepeatability: "11111111-2222-3333-4444-555555555555"}
	resp1, first := e.invoke("ep", body, hdr)
	if resp1.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", resp1.StatusCode, first)
	}
	resp2, second := e.invoke("ep", body, hdr)
	if resp2.StatusCode != http.StatusCreated || !bytes.Equal(first, second) {
		t.Fatalf("repeat: %d, same body %v", resp2.StatusCode, bytes.Equal(first, second))
	}
	if resp2.Header.Get("Location") != resp1.Header.Get("Location") {
		t.Errorf("Location differs: %s vs %s", resp1.Header.Get("Location"), resp2.Header.Get("Location"))
	}

	hdr2 := map[string]string{mlapi.HeaderRepeatability: "concurrent-id"}
	var wg sync.WaitGroup
	names := make([]string, 8)
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, data := e.invoke("ep", body, hdr2)
			if resp.StatusCode == http.StatusCreated {
				names[i] = decode[mlapi.BatchJobResource](t, data).Name
			}
		}()
	}
	wg.Wait()
	for _, n := range names {
		if n == "" || n != names[0] {
			t.Fatalf("concurrent repeats created different jobs: %v", names)
		}
	}
	list := e.listDataPlaneJobs("ep")
	if len(list) != 2 {
		t.Errorf("endpoint has %d jobs, want 2 (one per request id)", len(list))
	}
}

func (e *testEnv) listDataPlaneJobs(endpoint string) []mlapi.BatchJobResource {
	e.t.Helper()
	var out []mlapi.BatchJobResource
	next := "/mferp/managementfrontend" + wsPath() + "/batchEndpoints/" + endpoint + "/jobs?api-version=2020-09-01-dataplanepreview"
	for next != "" {
		resp, data := e.do(http.MethodGet, next, nil, nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("list jobs: %d %s", resp.StatusCode, data)
		}
		page := decode[mlapi.BatchJobList](e.t, data)
		out = append(out, page.Value...)
		next = page.NextLink
	}
	return out
}

// TestInvokeValidation checks the 4xx answers of the scoring URI: Azure's
// own validation texts where the service has them, clear ones otherwise.
func TestInvokeValidation(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.createEndpoint("nodefault")
	in := "azureml://datastores/workspaceblobstore/paths/data/in/"
	props := func(p string) string { return `{"properties":` + p + `}` }
	cases := []struct {
		name     string
		endpoint string
		body     string
		headers  map[string]string
		status   int
		contains []string
	}{
		{"literal input to a model deployment", "ep", props(`{"inputData":{"score_mode":{"jobInputType":"Literal","value":"append"}}}`), nil, 400,
			[]string{validationPrefix, `"PropertyName": "InputData.Values[0]"`, "The specified job input type 'LiteralJobInput' is not supported. The supported types are: UriFileJobInput, UriFolderJobInput."}},
		{"uri_folder output", "ep", props(`{"inputData":{"x":{"jobInputType":"UriFolder","uri":"` + in + `"}},"outputData":{"score":{"jobOutputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/out/"}}}`), nil, 400,
			[]string{`"PropertyName": "OutputData.Values[0].JobOutputType"`, "Job output type must be 'uri_file'.", `"AttemptedValue": "uri_folder"`}},
		{"two inputs", "ep", props(`{"inputData":{"a":{"jobInputType":"UriFolder","uri":"` + in + `"},"b":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), nil, 400,
			[]string{"exactly one input", "(a, b)"}},
		{"no input", "ep", props(`{}`), nil, 400, []string{"needs exactly one input"}},
		{"mltable input", "ep", props(`{"inputData":{"t":{"jobInputType":"MLTable","uri":"` + in + `"}}}`), nil, 400, []string{"'MLTableJobInput' is not supported"}},
		{"https input", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}}`), nil, 400,
			[]string{"not on the local workspace's storage", "upload the data first"}},
		{"wasbs input", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"wasbs://c@acct.blob.core.windows.net/x"}}}`), nil, 400, []string{"cannot read remote storage"}},
		{"unknown datastore", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/other/paths/x/"}}}`), nil, 400, []string{"datastore 'other'", "workspaceblobstore"}},
		{"missing input folder", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/nope/"}}}`), nil, 400, []string{"does not exist"}},
		{"uri_file on a folder", "ep", props(`{"inputData":{"UriFile":{"jobInputType":"UriFile","uri":"` + in + `"}}}`), nil, 400, []string{"There is no file on target path"}},
		{"unknown data asset", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml:nodata:1"}}}`), nil, 400, []string{"nodata:1 does not exist"}},
		{"other workspace", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://subscriptions/` + DefaultSubscription + `/resourcegroups/rg2/workspaces/ws2/datastores/workspaceblobstore/paths/data/in/"}}}`), nil, 400, []string{"not the local workspace"}},
		{"unknown deployment header", "ep", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), map[string]string{mlapi.HeaderDeployment: "red"}, 404, []string{"Deployment 'red' not found"}},
		{"no default deployment", "nodefault", props(`{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), nil, 400, []string{"has no default deployment", mlapi.HeaderDeployment}},
		{"unknown endpoint", "nope", props(`{}`), nil, 404, []string{"Batch endpoint 'nope' not found"}},
		{"invalid job name", "ep", props(`{"name":"bad/name","inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), nil, 400, []string{"job name"}},
		{"bad JSON", "ep", `{"properties":`, nil, 400, []string{"JSON"}},
		{"bad mini batch size", "ep", props(`{"miniBatchSize":0,"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), nil, 400, []string{"miniBatchSize"}},
		{"output file with a folder", "ep", props(`{"outputFileName":"../x.csv","inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`), nil, 400, []string{"outputFileName"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := e.invoke(tc.endpoint, tc.body, tc.headers)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, data)
			}
			msg := armErrorOf(t, data).Message
			for _, c := range tc.contains {
				if !strings.Contains(msg, c) {
					t.Errorf("message %q lacks %q", msg, c)
				}
			}
		})
	}
	if n := len(e.listDataPlaneJobs("ep")); n != 0 {
		t.Errorf("rejected requests created %d jobs", n)
	}

	// A taken job name is a 409.
	body := props(`{"name":"taken","inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"` + in + `"}}}`)
	if resp, data := e.invoke("ep", body, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("first job: %d %s", resp.StatusCode, data)
	}
	resp, data := e.invoke("ep", body, nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(armErrorOf(t, data).Message, "already exists") {
		t.Errorf("second job with the same name: %d %s, want 409", resp.StatusCode, data)
	}
}

// TestInvokeDataAssets resolves inputs given as data assets: ARM id,
// azureml:name:version, azureml:name@latest and azureml://locations/...
// latest label; the data container keeps latestVersion and nextVersion.
func TestInvokeDataAssets(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	ctx := context.Background()
	dv := e.factory().NewDataVersionsClient()
	for _, v := range []struct{ version, uri string }{
		{"1", "azureml://datastores/workspaceblobstore/paths/data/in/"},
		{"2", e.url + "/blob/" + e.srv.account + "/" + e.container() + "/data/in/"},
	} {
		_, err := dv.CreateOrUpdate(ctx, rg, ws, "heart", v.version, armmachinelearning.DataVersionBase{
			Properties: &armmachinelearning.URIFolderDataVersion{DataType: to.Ptr(armmachinelearning.DataTypeURIFolder), DataURI: to.Ptr(v.uri)},
		}, nil)
		if err != nil {
			t.Fatalf("create data version %s: %v", v.version, err)
		}
	}
	c, err := e.factory().NewDataContainersClient().Get(ctx, rg, ws, "heart", nil)
	if err != nil {
		t.Fatalf("get data container: %v", err)
	}
	if *c.Properties.LatestVersion != "2" || *c.Properties.NextVersion != "3" || *c.Properties.DataType != armmachinelearning.DataTypeURIFolder {
		t.Errorf("container latest %s next %s type %s, want 2, 3, uri_folder", *c.Properties.LatestVersion, *c.Properties.NextVersion, *c.Properties.DataType)
	}
	// Versions are immutable.
	_, err = dv.CreateOrUpdate(ctx, rg, ws, "heart", "1", armmachinelearning.DataVersionBase{
		Properties: &armmachinelearning.URIFolderDataVersion{DataType: to.Ptr(armmachinelearning.DataTypeURIFolder), DataURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/other/")},
	}, nil)
	if !isStatus(err, http.StatusConflict) {
		t.Errorf("changing version 1's dataUri: %v, want 409", err)
	}

	for _, ref := range []string{
		wsPath() + "/data/heart/versions/1",
		"azureml:heart:2",
		"azureml:heart@latest",
		"azureml://locations/local/workspaces/local/data/heart/versions/labels/latest",
		"azureml://locations/local/workspaces/" + e.srv.workspaceID + "/data/heart/versions/1",
	} {
		resp, data := e.invoke("ep", folderBody(ref), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("input %s: %d %s", ref, resp.StatusCode, data)
			continue
		}
		job := decode[mlapi.BatchJobResource](t, data)
		e.waitStatus(job.Name, "Completed")
		spec, _ := e.runner.spec(job.Name)
		if len(spec.Inputs) != 1 || !strings.HasSuffix(spec.Inputs[0], filepath.FromSlash("data/in")) && !strings.HasSuffix(spec.Inputs[0], filepath.FromSlash("data/in/")) {
			t.Errorf("input %s resolved to %v", ref, spec.Inputs)
		}
	}
}

// TestPipelineDeployment stores a pipeline component deployment, checks
// jobs against the component's declared interface, and runs valid jobs
// with the pipeline engine, not the batch runner.
func TestPipelineDeployment(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	ctx := context.Background()
	hello := e.registerComponent("hello", map[string]any{"type": "command", "environment": "azureml:env:1",
		"inputs":  map[string]any{"data": map[string]any{"type": "uri_folder"}, "threshold": map[string]any{"type": "number"}},
		"outputs": map[string]any{"scores": map[string]any{"type": "uri_folder"}},
		"command": "ls ${{inputs.data}} > ${{outputs.scores}}/files.txt; echo ${{inputs.threshold}}"})
	_, err := e.factory().NewComponentVersionsClient().CreateOrUpdate(ctx, rg, ws, "hello_batch", "1", armmachinelearning.ComponentVersion{
		Properties: &armmachinelearning.ComponentVersionProperties{ComponentSpec: map[string]any{
			"name": "hello_batch", "type": "pipeline",
			"inputs": map[string]any{
				"data":      map[string]any{"type": "uri_folder"},
				"threshold": map[string]any{"type": "number", "default": 0.5},
				"mode":      map[string]any{"type": "string", "optional": true},
			},
			"outputs": map[string]any{"scores": map[string]any{"type": "uri_folder"}},
			"jobs": map[string]any{"main": map[string]any{"type": "command", "componentId": hello,
				"inputs":  map[string]any{"data": lit("${{parent.inputs.data}}"), "threshold": lit("${{parent.inputs.threshold}}")},
				"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.scores}}"}}}},
		}},
	}, nil)
	if err != nil {
		t.Fatalf("create component: %v", err)
	}
	e.createDeployment("ep", "pipe", armmachinelearning.BatchDeploymentProperties{
		DeploymentConfiguration: &armmachinelearning.BatchPipelineComponentDeploymentConfiguration{
			DeploymentConfigurationType: to.Ptr(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent),
			ComponentID:                 &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:hello_batch@latest")},
			Settings:                    map[string]*string{"default_compute": to.Ptr("cpu-cluster")},
		},
	})
	dep, err := e.factory().NewBatchDeploymentsClient().Get(ctx, rg, ws, "ep", "pipe", nil)
	if err != nil {
		t.Fatalf("get pipeline deployment: %v", err)
	}
	cfg := dep.Properties.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration)
	if *cfg.ComponentID.AssetID != wsPath()+"/components/hello_batch/versions/1" || *cfg.Settings["default_compute"] != "cpu-cluster" {
		t.Errorf("stored configuration %+v", cfg)
	}
	if _, err := e.tryCreateDeployment("ep", "pipe2", armmachinelearning.BatchDeploymentProperties{
		DeploymentConfiguration: &armmachinelearning.BatchPipelineComponentDeploymentConfiguration{
			DeploymentConfigurationType: to.Ptr(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent),
			ComponentID:                 &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:nope:1")},
		},
	}); !isStatus(err, http.StatusBadRequest) {
		t.Errorf("deployment of a missing component: %v, want 400", err)
	}

	hdr := map[string]string{mlapi.HeaderDeployment: "pipe"}
	data := `"data":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/data/in/"}`
	cases := []struct {
		name, inputs string
		status       int
		contains     string
	}{
		{"valid", `{` + data + `,"threshold":{"jobInputType":"Literal","value":"0.7"}}`, 201, ""},
		{"missing required", `{"threshold":{"jobInputType":"Literal","value":"0.7"}}`, 400, "Input 'data' is required"},
		{"unknown input", `{` + data + `,"extra":{"jobInputType":"Literal","value":"1"}}`, 400, "Input 'extra' is not an input of component hello_batch:1"},
		{"literal for data", `{"data":{"jobInputType":"Literal","value":"x"}}`, 400, "is a uri_folder data input"},
		{"bad number", `{` + data + `,"threshold":{"jobInputType":"Literal","value":"high"}}`, 400, "must be a number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.invoke("ep", `{"properties":{"inputData":`+tc.inputs+`}}`, hdr)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status != 201 {
				if msg := armErrorOf(t, body).Message; !strings.Contains(msg, tc.contains) || !strings.HasPrefix(msg, validationPrefix) {
					t.Errorf("message %q lacks %q", msg, tc.contains)
				}
				return
			}
			job := decode[mlapi.BatchJobResource](t, body)
			pj := e.waitStatus(job.Name, "Completed")
			if *pj.Tags["azureml.jobtype"] != "azureml.pipelinejob" {
				t.Errorf("tags %v", pj.Tags)
			}
			if _, ran := e.runner.spec(job.Name); ran {
				t.Errorf("pipeline job was run")
			}
		})
	}
}

// TestInvokeOutputFileExists refuses to overwrite an existing output.
func TestInvokeOutputFileExists(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.upload(map[string]string{"results/predictions.csv": "old"})
	body := `{"properties":{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/data/in/"}},
		"outputData":{"score":{"jobOutputType":"UriFile","uri":"azureml://datastores/workspaceblobstore/paths/results/predictions.csv"}}}}`
	resp, data := e.invoke("ep", body, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), "already exists") {
		t.Fatalf("status %d %s, want 400 already exists", resp.StatusCode, data)
	}
	if got, _ := os.ReadFile(filepath.Join(e.dir, "blob", e.srv.account, e.container(), "results", "predictions.csv")); string(got) != "old" {
		t.Errorf("existing output changed to %q", got)
	}
}
