package localws

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// The tests in this file replay every recorded exchange of
// testdata/fixtures (copied from the shared reference) against the local
// workspace, decode the recorded answer and ours with the same types and
// compare the fields a client uses. Differences by design are noted where
// they are skipped: URLs and hosts (the server is local), storage account
// and container names, and https inputs (replaced by datastore URIs: the
// local workspace cannot read public storage).

// recordedScope is the workspace id the recorder scrubbed to zeros.
const recordedScope = "/subscriptions/00000000-0000-0000-0000-000000000/resourceGroups/00000/providers/Microsoft.MachineLearningServices/workspaces/00000"

type exchange struct {
	Name    string `json:"name"`
	Request struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"request"`
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"response"`
}

// loadExchanges reads a fixture: a list under "entries" or one exchange.
func loadExchanges(t *testing.T, name string) []exchange {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Entries []exchange `json:"entries"`
		exchange
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(doc.Entries) > 0 {
		return doc.Entries
	}
	return []exchange{doc.exchange}
}

// localize rewrites recorded ARM ids to the local workspace's.
func localize(s string) string { return strings.ReplaceAll(s, recordedScope, wsPath()) }

// localRequestPath turns a recorded URL into a path on the local server:
// ARM URLs keep their path and query, scoring URIs become
// /endpoints/<endpoint>/jobs.
func localRequestPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(u.Host, ".inference.ml.azure.com") {
		return "/endpoints/" + strings.SplitN(u.Host, ".", 2)[0] + "/jobs"
	}
	return localize(u.EscapedPath()) + "?" + u.RawQuery
}

func header(h map[string]string, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// same reports a mismatch of one compared field.
func same(t *testing.T, field string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: local %v, recorded %v", field, show(got), show(want))
	}
}

func show(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

// registerRecordedAssets creates the code, environment and model versions
// the recorded deployment refers to.
func registerRecordedAssets(t *testing.T, e *testEnv) {
	t.Helper()
	ctx := context.Background()
	e.upload(map[string]string{
		"LocalUpload/recorded/code/digit_identification.py": "def init():\n    pass\n\ndef run(b):\n    return b\n",
		"LocalUpload/recorded/model/model.bin":              "m",
	})
	f := e.factory()
	if _, err := f.NewCodeVersionsClient().CreateOrUpdate(ctx, rg, ws, "2d48ca0c-1196-4169-94c6-1bd7584fbf6c", "1", armmachinelearning.CodeVersion{
		Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/recorded/code")},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewEnvironmentVersionsClient().CreateOrUpdate(ctx, rg, ws, "CliV2AnonymousEnvironment", "bd15d0992111991fafc49bf8af764bfd", armmachinelearning.EnvironmentVersion{
		Properties: &armmachinelearning.EnvironmentVersionProperties{Image: to.Ptr("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04")},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewModelVersionsClient().CreateOrUpdate(ctx, rg, ws, "88cf3abcb419bc852f17398005a22790", "1", armmachinelearning.ModelVersion{
		Properties: &armmachinelearning.ModelVersionProperties{ModelURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/recorded/model")},
	}, nil); err != nil {
		t.Fatal(err)
	}
}

// replay sends a recorded request (body localized) and returns our answer.
func replay(t *testing.T, e *testEnv, x exchange) (*http.Response, []byte) {
	t.Helper()
	var body any
	if len(x.Request.Body) > 0 && string(x.Request.Body) != "null" {
		body = localize(string(x.Request.Body))
	}
	return e.do(x.Request.Method, localRequestPath(t, x.Request.URL), body, nil)
}

func compareEndpoint(t *testing.T, e *testEnv, got, want armmachinelearning.BatchEndpoint) {
	t.Helper()
	same(t, "id", got.ID, to.Ptr(localize(*want.ID)))
	same(t, "name", got.Name, want.Name)
	same(t, "type", got.Type, want.Type)
	same(t, "location", got.Location, want.Location)
	same(t, "tags", got.Tags, want.Tags)
	same(t, "properties.authMode", got.Properties.AuthMode, want.Properties.AuthMode)
	same(t, "properties.description", got.Properties.Description, want.Properties.Description)
	same(t, "properties.provisioningState", got.Properties.ProvisioningState, want.Properties.ProvisioningState)
	same(t, "properties.defaults.deploymentName", got.Properties.Defaults.DeploymentName, want.Properties.Defaults.DeploymentName)
	for k, v := range want.Properties.Properties {
		same(t, "properties.properties."+k, got.Properties.Properties[k], to.Ptr(localize(*v)))
	}
	if want.Properties.ScoringURI != nil {
		// By design: the scoring URI is on this server.
		same(t, "properties.scoringUri", got.Properties.ScoringURI, to.Ptr(e.url+"/endpoints/"+*want.Name+"/jobs"))
	} else if got.Properties.ScoringURI == nil {
		t.Errorf("properties.scoringUri missing")
	}
}

func compareDeployment(t *testing.T, got, want armmachinelearning.BatchDeployment) {
	t.Helper()
	same(t, "id", got.ID, to.Ptr(localize(*want.ID)))
	same(t, "name", got.Name, want.Name)
	same(t, "type", got.Type, want.Type)
	same(t, "location", got.Location, want.Location)
	g, w := got.Properties, want.Properties
	same(t, "codeConfiguration.codeId", g.CodeConfiguration.CodeID, to.Ptr(localize(*w.CodeConfiguration.CodeID)))
	same(t, "codeConfiguration.scoringScript", g.CodeConfiguration.ScoringScript, w.CodeConfiguration.ScoringScript)
	same(t, "environmentId", g.EnvironmentID, to.Ptr(localize(*w.EnvironmentID)))
	same(t, "environmentVariables", g.EnvironmentVariables, w.EnvironmentVariables)
	same(t, "compute", g.Compute, to.Ptr(localize(*w.Compute)))
	same(t, "errorThreshold", g.ErrorThreshold, w.ErrorThreshold)
	same(t, "retrySettings", g.RetrySettings, w.RetrySettings)
	same(t, "miniBatchSize", g.MiniBatchSize, w.MiniBatchSize)
	same(t, "loggingLevel", g.LoggingLevel, w.LoggingLevel)
	same(t, "model.assetId", g.Model.(*armmachinelearning.IDAssetReference).AssetID, to.Ptr(localize(*w.Model.(*armmachinelearning.IDAssetReference).AssetID)))
	same(t, "model.referenceType", g.Model.(*armmachinelearning.IDAssetReference).ReferenceType, w.Model.(*armmachinelearning.IDAssetReference).ReferenceType)
	same(t, "maxConcurrencyPerInstance", g.MaxConcurrencyPerInstance, w.MaxConcurrencyPerInstance)
	same(t, "outputAction", g.OutputAction, w.OutputAction)
	same(t, "outputFileName", g.OutputFileName, w.OutputFileName)
	same(t, "resources.instanceCount", g.Resources.InstanceCount, w.Resources.InstanceCount)
	same(t, "provisioningState", g.ProvisioningState, w.ProvisioningState)
}

// TestRecordedEndpointAndDeployment replays
// arm_batch_endpoint_and_deployment_recorded.json.
func TestRecordedEndpointAndDeployment(t *testing.T) {
	e := newEnv(t)
	registerRecordedAssets(t, e)
	xs := loadExchanges(t, "arm_batch_endpoint_and_deployment_recorded.json")
	if len(xs) != 5 {
		t.Fatalf("%d exchanges, want 5", len(xs))
	}
	var asyncURL string
	for i, x := range xs {
		t.Run(x.Name, func(t *testing.T) {
			var resp *http.Response
			var data []byte
			if i == 1 {
				// The poll follows the Azure-AsyncOperation URL we issued.
				resp, data = e.do(http.MethodGet, asyncURL, nil, nil)
			} else {
				resp, data = replay(t, e, x)
			}
			same(t, "status", resp.StatusCode, x.Response.Status)
			for _, h := range []string{"Azure-AsyncOperation", "Location", "x-ms-async-operation-timeout"} {
				if header(x.Response.Headers, h) != "" && resp.Header.Get(h) == "" {
					t.Errorf("header %s missing", h)
				}
			}
			if loc := resp.Header.Get("Location"); loc != "" && header(x.Response.Headers, "Location") != "" {
				same(t, "Location", strings.TrimPrefix(loc, e.url), localRequestPath(t, header(x.Response.Headers, "Location")))
			}
			switch i {
			case 0, 2:
				compareEndpoint(t, e, decode[armmachinelearning.BatchEndpoint](t, data), decode[armmachinelearning.BatchEndpoint](t, x.Response.Body))
				if i == 0 {
					asyncURL = resp.Header.Get("Azure-AsyncOperation")
				}
			case 1:
				type opStatus struct{ ID, Name, Status string }
				got, want := decode[opStatus](t, data), decode[opStatus](t, x.Response.Body)
				same(t, "status", got.Status, want.Status)
				if got.Name == "" || !strings.HasSuffix(got.ID, "/mfeOperationsStatus/"+got.Name) {
					t.Errorf("operation id %q name %q", got.ID, got.Name)
				}
			case 3:
				compareDeployment(t, decode[armmachinelearning.BatchDeployment](t, data), decode[armmachinelearning.BatchDeployment](t, x.Response.Body))
			case 4:
				type list struct {
					Value []armmachinelearning.BatchDeployment
				}
				got, want := decode[list](t, data), decode[list](t, x.Response.Body)
				if len(got.Value) != len(want.Value) {
					t.Fatalf("%d deployments, recorded %d", len(got.Value), len(want.Value))
				}
				compareDeployment(t, got.Value[0], want.Value[0])
			}
		})
	}
}

// TestRecordedDatastoreAndUploadProbe replays
// datastore_get_and_listsecrets_and_upload_probe.json: the datastore GET,
// listSecrets, and the HEAD probes of an upload (through azblob).
func TestRecordedDatastoreAndUploadProbe(t *testing.T) {
	e := newEnv(t)
	xs := loadExchanges(t, "datastore_get_and_listsecrets_and_upload_probe.json")
	if len(xs) != 4 {
		t.Fatalf("%d exchanges, want 4", len(xs))
	}
	// GET datastore.
	resp, data := replay(t, e, xs[0])
	same(t, "status", resp.StatusCode, xs[0].Response.Status)
	got, want := decode[armmachinelearning.Datastore](t, data), decode[armmachinelearning.Datastore](t, xs[0].Response.Body)
	same(t, "id", got.ID, to.Ptr(localize(*want.ID)))
	same(t, "name", got.Name, want.Name)
	same(t, "type", got.Type, want.Type)
	g, w := got.Properties.(*armmachinelearning.AzureBlobDatastore), want.Properties.(*armmachinelearning.AzureBlobDatastore)
	same(t, "datastoreType", g.DatastoreType, w.DatastoreType)
	same(t, "isDefault", g.IsDefault, w.IsDefault)
	same(t, "credentials.credentialsType", g.Credentials.GetDatastoreCredentials().CredentialsType, w.Credentials.GetDatastoreCredentials().CredentialsType)
	// By design: local account, container and endpoint.
	same(t, "accountName", g.AccountName, to.Ptr(DefaultStorageAccount))
	same(t, "containerName", g.ContainerName, to.Ptr(e.container()))

	// listSecrets with no body.
	resp, data = replay(t, e, xs[1])
	same(t, "status", resp.StatusCode, xs[1].Response.Status)
	type secrets struct{ SecretsType, Key string }
	gs, ws := decode[secrets](t, data), decode[secrets](t, xs[1].Response.Body)
	same(t, "secretsType", gs.SecretsType, ws.SecretsType)
	if k, err := base64.StdEncoding.DecodeString(gs.Key); err != nil || len(k) == 0 {
		t.Errorf("key is not base64: %v", err)
	}

	// HEAD of the first file of an upload: metadata marks it complete.
	blobName := strings.SplitN(strings.TrimPrefix(mustURL(t, xs[2].Request.URL).Path, "/"), "/", 2)[1]
	content := bytes.Repeat([]byte{7}, 1066440)
	c := e.blobClient()
	ctx := context.Background()
	md := map[string]*string{}
	for _, k := range []string{"name", "upload_status", "version"} {
		md[k] = to.Ptr(header(xs[2].Response.Headers, "x-ms-meta-"+k))
	}
	if _, err := c.UploadBuffer(ctx, e.container(), blobName, content, &azblob.UploadBufferOptions{Metadata: md}); err != nil {
		t.Fatal(err)
	}
	props, err := c.ServiceClient().NewContainerClient(e.container()).NewBlobClient(blobName).GetProperties(ctx, nil)
	if err != nil {
		t.Fatalf("HEAD %s: %v", blobName, err)
	}
	same(t, "x-ms-blob-type", string(*props.BlobType), header(xs[2].Response.Headers, "x-ms-blob-type"))
	same(t, "Content-Length", *props.ContentLength, int64(len(content)))
	if len(props.ContentMD5) == 0 {
		t.Errorf("Content-MD5 missing")
	}
	for k, v := range md {
		found := false
		for mk, mv := range props.Metadata {
			if strings.EqualFold(mk, k) && *mv == *v {
				found = true
			}
		}
		if !found {
			t.Errorf("metadata %s=%s missing from %v", k, *v, props.Metadata)
		}
	}
	// HEAD of the legacy prefix: 404 BlobNotFound.
	legacy := strings.SplitN(strings.TrimPrefix(mustURL(t, xs[3].Request.URL).Path, "/"), "/", 2)[1]
	_, err = c.ServiceClient().NewContainerClient(e.container()).NewBlobClient(legacy).GetProperties(ctx, nil)
	if !bloberror.HasCode(err, bloberror.Code(header(xs[3].Response.Headers, "x-ms-error-code"))) {
		t.Errorf("legacy HEAD: %v, want %s", err, header(xs[3].Response.Headers, "x-ms-error-code"))
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// setupRecordedDeployment creates the endpoint and deployment a recorded
// invoke names.
func setupRecordedDeployment(t *testing.T, e *testEnv, endpoint, deployment string) {
	t.Helper()
	e.createEndpoint(endpoint)
	e.createDeployment(endpoint, deployment, armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:score-code:1"), ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model:1")},
		Compute:           to.Ptr(wsPath() + "/computes/cpu-cluster"),
	})
}

// localInputs rewrites the https inputs of a recorded scoring body to
// datastore URIs (by design: the local workspace reads only its storage).
func localInputs(body json.RawMessage) (string, map[string]string) {
	var doc map[string]map[string]map[string]map[string]string
	_ = json.Unmarshal(body, &doc)
	sent := map[string]string{}
	for name, in := range doc["properties"]["inputData"] {
		uri := "azureml://datastores/workspaceblobstore/paths/data/in/"
		if in["jobInputType"] == "UriFile" {
			uri = "azureml://datastores/workspaceblobstore/paths/data/single.csv"
		}
		in["uri"] = uri
		sent[name] = uri
	}
	out, _ := json.Marshal(doc)
	return string(out), sent
}

func compareBatchJob(t *testing.T, e *testEnv, resp *http.Response, data []byte, x exchange, sent map[string]string) mlapi.BatchJobResource {
	t.Helper()
	same(t, "status", resp.StatusCode, x.Response.Status)
	same(t, "azureml-model-deployment", resp.Header.Get(mlapi.HeaderDeployment), header(x.Response.Headers, mlapi.HeaderDeployment))
	loc, wantLoc := resp.Header.Get("Location"), header(x.Response.Headers, "Location")
	if !strings.Contains(loc, "/mferp/managementfrontend/") || !strings.HasSuffix(loc, "?api-version=2020-09-01-dataplanepreview") || !strings.Contains(wantLoc, "/mferp/managementfrontend/") {
		t.Errorf("Location %s (recorded %s)", loc, wantLoc)
	}
	got, want := decode[mlapi.BatchJobResource](t, data), decode[mlapi.BatchJobResource](t, x.Response.Body)
	same(t, "type", got.Type, want.Type)
	same(t, "id prefix", strings.TrimSuffix(got.ID, got.Name), localize(strings.TrimSuffix(want.ID, want.Name)))
	if got.Name == "" || !strings.HasSuffix(got.ID, "/jobs/"+got.Name) {
		t.Errorf("name %q id %q", got.Name, got.ID)
	}
	if strings.HasPrefix(want.Name, "batchjob-") && !strings.HasPrefix(got.Name, "batchjob-") {
		t.Errorf("name %q lacks the batchjob- prefix", got.Name)
	}
	g, w := got.Properties, want.Properties
	same(t, "provisioningState", g.ProvisioningState, w.ProvisioningState)
	same(t, "status", g.Status, w.Status)
	if len(g.InputData) != len(w.InputData) {
		t.Errorf("inputData %v, recorded %v", g.InputData, w.InputData)
	}
	for name, win := range w.InputData {
		gin := g.InputData[name]
		same(t, "inputData."+name+".jobInputType", gin.JobInputType, win.JobInputType)
		same(t, "inputData."+name+".mode", gin.Mode, win.Mode)
		same(t, "inputData."+name+".uri", gin.URI, sent[name])
	}
	same(t, "retrySettings", g.RetrySettings, w.RetrySettings)
	for _, k := range []string{"azureml.batchrun", "azureml.deploymentname", "azureml.jobtype", "inputType", "outputType"} {
		if v, ok := w.Tags[k]; ok {
			same(t, "tags."+k, g.Tags[k], v)
		}
	}
	for _, k := range []string{"azureml.runsource", "runSource", "runType", "azureml.pipelineComponent", "azureml.continue_on_step_failure"} {
		same(t, "properties."+k, g.Properties[k], w.Properties[k])
	}
	if w.MiniBatchSize != nil {
		same(t, "miniBatchSize", g.MiniBatchSize, w.MiniBatchSize)
	}
	if w.ErrorThreshold != nil {
		same(t, "errorThreshold", g.ErrorThreshold, w.ErrorThreshold)
	}
	if w.OutputFileName != "" {
		same(t, "outputFileName", g.OutputFileName, w.OutputFileName)
	}
	if w.LoggingLevel != "" {
		same(t, "loggingLevel", g.LoggingLevel, w.LoggingLevel)
	}
	for k, ie := range w.InteractionEndpoints {
		same(t, "interactionEndpoints."+k+".jobEndpointType", g.InteractionEndpoints[k].JobEndpointType, ie.JobEndpointType)
		if g.InteractionEndpoints[k].Endpoint == "" {
			t.Errorf("interactionEndpoints.%s.endpoint empty", k)
		}
	}
	if g.Name == "" {
		t.Errorf("properties.name (display name) empty")
	}
	if got.SystemData == nil || got.SystemData.CreatedAt == "" {
		t.Errorf("systemData.createdAt missing")
	}
	return got
}

// TestRecordedInvokes replays the three recorded scoring POSTs.
func TestRecordedInvokes(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	setupRecordedDeployment(t, e, "batch-ept-11a618d470304b2", "batch-dpm-8c7fa87f5ded4e0")
	for _, file := range []string{"invoke_single_input_uri_folder.request_response.json", "invoke_named_inputs_dict.request_response.json"} {
		t.Run(file, func(t *testing.T) {
			x := loadExchanges(t, file)[0]
			body, sent := localInputs(x.Request.Body)
			headers := map[string]string{mlapi.HeaderDeployment: header(x.Request.Headers, mlapi.HeaderDeployment)}
			resp, data := e.do(x.Request.Method, localRequestPath(t, x.Request.URL), body, headers)
			job := compareBatchJob(t, e, resp, data, x, sent)
			e.waitStatus(job.Name, "Completed")
		})
	}
}

// TestRecordedInvokeJobGetAndCancel replays
// invoke_single_input_uri_file_then_job_get_and_cancel.json: invoke, the
// ARM job GET, cancel (202 + Location) and its poll ending in 200.
func TestRecordedInvokeJobGetAndCancel(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	setupRecordedDeployment(t, e, "batch-ept-c4e0029f383b4fa", "batch-dpm-a47c6993a20d475")
	xs := loadExchanges(t, "invoke_single_input_uri_file_then_job_get_and_cancel.json")
	if len(xs) != 5 {
		t.Fatalf("%d exchanges, want 5", len(xs))
	}
	e.runner.holdJobs()
	body, sent := localInputs(xs[0].Request.Body)
	resp, data := e.do(xs[0].Request.Method, localRequestPath(t, xs[0].Request.URL), body,
		map[string]string{mlapi.HeaderDeployment: header(xs[0].Request.Headers, mlapi.HeaderDeployment)})
	created := compareBatchJob(t, e, resp, data, xs[0], sent)
	<-e.runner.started

	// Job GET, for our job name (the recorded one is the recorder's).
	recordedJob := decode[mlapi.BatchJobResource](t, xs[0].Response.Body).Name
	getPath := strings.Replace(localRequestPath(t, xs[1].Request.URL), recordedJob, created.Name, 1)
	resp, data = e.do(http.MethodGet, getPath, nil, nil)
	same(t, "job GET status", resp.StatusCode, xs[1].Response.Status)
	got, want := decode[armmachinelearning.JobBase](t, data), decode[armmachinelearning.JobBase](t, xs[1].Response.Body)
	same(t, "id", got.ID, to.Ptr(strings.Replace(localize(*want.ID), recordedJob, created.Name, 1)))
	same(t, "type", got.Type, want.Type)
	gp, wp := got.Properties.(*armmachinelearning.PipelineJob), want.Properties.(*armmachinelearning.PipelineJob)
	same(t, "jobType", gp.JobType, wp.JobType)
	if s := *gp.Status; s != "Preparing" && s != "Running" {
		t.Errorf("status %s, recorded Preparing then Running", s)
	}
	same(t, "description", gp.Description, wp.Description)
	same(t, "experimentName", gp.ExperimentName, wp.ExperimentName)
	same(t, "displayName", *gp.DisplayName, created.Properties.Name)
	for k, v := range wp.Tags {
		same(t, "tags."+k, gp.Tags[k], v)
	}
	for _, k := range []string{"azureml.runsource", "runSource", "runType", "azureml.pipelineComponent"} {
		same(t, "properties."+k, gp.Properties[k], wp.Properties[k])
	}
	for k, svc := range wp.Services {
		if gp.Services[k] == nil || gp.Services[k].Endpoint == nil {
			t.Errorf("services.%s missing", k)
			continue
		}
		same(t, "services."+k+".jobServiceType", gp.Services[k].JobServiceType, svc.JobServiceType)
	}

	// Cancel: 202 with a Location, polled until 200.
	cancelPath := strings.Replace(localRequestPath(t, xs[2].Request.URL), recordedJob, created.Name, 1)
	resp, data = e.do(http.MethodPost, cancelPath, nil, nil)
	same(t, "cancel status", resp.StatusCode, xs[2].Response.Status)
	var recordedBody string // the recorder stores the raw body as a JSON string
	if err := json.Unmarshal(xs[2].Response.Body, &recordedBody); err != nil {
		t.Fatal(err)
	}
	same(t, "cancel body", string(data), recordedBody)
	loc := resp.Header.Get("Location")
	if loc == "" || header(xs[2].Response.Headers, "x-ms-async-operation-timeout") != "" && resp.Header.Get("x-ms-async-operation-timeout") == "" {
		t.Fatalf("cancel headers %v", resp.Header)
	}
	final := 0
	for i := 0; i < 100 && final != http.StatusOK; i++ {
		resp, _ = e.do(http.MethodGet, loc, nil, nil)
		final = resp.StatusCode
		if final != http.StatusAccepted && final != http.StatusOK {
			t.Fatalf("poll status %d", final)
		}
	}
	same(t, "final poll status", final, xs[4].Response.Status)
	e.waitStatus(created.Name, "Canceled")
}

// TestRecordedServiceErrors checks the service error texts of
// service_validation_errors.json.
func TestRecordedServiceErrors(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", "service_validation_errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Errors []struct {
			MessagePrefix string            `json:"message_prefix"`
			Errors        []validationError `json:"errors"`
			CLIOutput     string            `json:"cli_output"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	in := `"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/data/in/"}`
	bodies := []string{
		`{"properties":{"inputData":{"score_mode":{"jobInputType":"Literal","value":"append"}}}}`,
		`{"properties":{"inputData":{` + in + `},"outputData":{"score":{"jobOutputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/out/"}}}}`,
	}
	for i, body := range bodies {
		want := doc.Errors[i]
		resp, data := e.invoke("ep", body, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("case %d: %d %s", i, resp.StatusCode, data)
		}
		msg := armErrorOf(t, data).Message
		prefix, list, ok := strings.Cut(msg, "\nErrors:\n")
		if !ok {
			t.Fatalf("case %d: message %q has no error list", i, msg)
		}
		same(t, "message prefix", prefix, want.MessagePrefix)
		var got []validationError
		if err := json.Unmarshal([]byte(list), &got); err != nil {
			t.Fatalf("case %d: error list: %v", i, err)
		}
		// Compare through JSON so the attempted values have one shape.
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want.Errors)
		if !bytes.Equal(gj, wj) {
			t.Errorf("case %d: errors\n local    %s\n recorded %s", i, gj, wj)
		}
	}
	// The bad data version of `--input azureml:name:1@latest`.
	resp, data := e.do(http.MethodGet, wsPath()+"/data/heart/versions/1@latest?api-version=2023-04-01-preview", nil, nil)
	d := armErrorOf(t, data)
	cli := doc.Errors[2].CLIOutput
	wantText := strings.TrimPrefix(strings.SplitN(cli, "\n", 2)[0], "ERROR: (UserError) ")
	if resp.StatusCode != http.StatusBadRequest || d.Code != "UserError" || d.Message != wantText {
		t.Errorf("bad version: %d (%s) %q, want 400 (UserError) %q", resp.StatusCode, d.Code, d.Message, wantText)
	}
}

// TestSpecExampleShapes decodes our answers and the 2025-12-01 spec
// examples with the same SDK types and compares discriminators and the
// fields clients branch on.
func TestSpecExampleShapes(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	ctx := context.Background()
	if _, err := e.factory().NewDataVersionsClient().CreateOrUpdate(ctx, rg, ws, "iris", "1", armmachinelearning.DataVersionBase{
		Properties: &armmachinelearning.URIFileDataVersion{DataType: to.Ptr(armmachinelearning.DataTypeURIFile), DataURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/data/single.csv")},
	}, nil); err != nil {
		t.Fatal(err)
	}
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	spec := func(name string) json.RawMessage {
		raw, err := os.ReadFile(filepath.Join("testdata", "fixtures", "spec-2025-12-01", name))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Responses map[string]struct {
				Body json.RawMessage `json:"body"`
			} `json:"responses"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Responses["200"].Body
	}
	get := func(path string) []byte {
		resp, data := e.do(http.MethodGet, wsPath()+path+"?api-version=2025-12-01", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
		}
		return data
	}
	t.Run("Datastore_get", func(t *testing.T) {
		got, want := decode[armmachinelearning.Datastore](t, get("/datastores/workspaceblobstore")), decode[armmachinelearning.Datastore](t, spec("Datastore_get.json"))
		gp, ok1 := got.Properties.(*armmachinelearning.AzureBlobDatastore)
		wp, ok2 := want.Properties.(*armmachinelearning.AzureBlobDatastore)
		if !ok1 || !ok2 {
			t.Fatalf("properties %T / %T", got.Properties, want.Properties)
		}
		same(t, "datastoreType", gp.DatastoreType, wp.DatastoreType)
		same(t, "credentialsType", gp.Credentials.GetDatastoreCredentials().CredentialsType, wp.Credentials.GetDatastoreCredentials().CredentialsType)
	})
	t.Run("Datastore_listSecrets", func(t *testing.T) {
		resp, data := e.do(http.MethodPost, wsPath()+"/datastores/workspaceblobstore/listSecrets?api-version=2025-12-01", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, data)
		}
		var g, w armmachinelearning.DatastoresClientListSecretsResponse
		if err := json.Unmarshal(data, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(spec("Datastore_listSecrets.json"), &w); err != nil {
			t.Fatal(err)
		}
		same(t, "type", reflect.TypeOf(g.DatastoreSecretsClassification), reflect.TypeOf(w.DatastoreSecretsClassification))
	})
	t.Run("DataVersionBase_get", func(t *testing.T) {
		got, want := decode[armmachinelearning.DataVersionBase](t, get("/data/iris/versions/1")), decode[armmachinelearning.DataVersionBase](t, spec("DataVersionBase_get.json"))
		same(t, "properties type", reflect.TypeOf(got.Properties), reflect.TypeOf(want.Properties))
		same(t, "dataType", got.Properties.GetDataVersionBaseProperties().DataType, want.Properties.GetDataVersionBaseProperties().DataType)
	})
	t.Run("PipelineJob_get", func(t *testing.T) {
		got, want := decode[armmachinelearning.JobBase](t, get("/jobs/"+job)), decode[armmachinelearning.JobBase](t, spec("PipelineJob_get.json"))
		same(t, "properties type", reflect.TypeOf(got.Properties), reflect.TypeOf(want.Properties))
		same(t, "jobType", got.Properties.GetJobBaseProperties().JobType, want.Properties.GetJobBaseProperties().JobType)
	})
	t.Run("BatchEndpoint_get", func(t *testing.T) {
		got, want := decode[armmachinelearning.BatchEndpoint](t, get("/batchEndpoints/ep")), decode[armmachinelearning.BatchEndpoint](t, spec("BatchEndpoint_get.json"))
		if got.Properties.AuthMode == nil || want.Properties.AuthMode == nil || got.Properties.ScoringURI == nil || got.Properties.Defaults == nil {
			t.Errorf("local endpoint lacks authMode, scoringUri or defaults: %+v", got.Properties)
		}
	})
}
