package azml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// specRequest reads the request body of a REST spec example in
// testdata/spec-2025-12-01 ("body" for assets, "parameters" for computes).
func specRequest(t *testing.T, file, key string) map[string]any {
	t.Helper()
	return specRequestIn(t, "spec-2025-12-01", file, key)
}

// specRequestIn is specRequest for the examples of another api-version,
// in testdata/<dir>.
func specRequestIn(t *testing.T, dir, file, key string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(ex.Parameters[key], &body); err != nil {
		t.Fatalf("%s: parameters.%s: %v", file, key, err)
	}
	return body
}

// checkFieldsInSpec walks the body ml sent and checks, field by field, that
// the spec example's request has the same field with a value of the same
// JSON kind. A spec object whose only key is "string" is a free map (tags,
// properties): any key of the sent map is checked against that entry. It
// returns the sent fields' paths, sorted, for the caller to compare.
func checkFieldsInSpec(t *testing.T, sent, example map[string]any) []string {
	t.Helper()
	var paths []string
	var walk func(path string, got, want any)
	walk = func(path string, got, want any) {
		if kind(got) != kind(want) {
			t.Errorf("%s: sent %s (%v), the spec example has %s (%v)", path, kind(got), got, kind(want), want)
			return
		}
		g, ok := got.(map[string]any)
		if !ok {
			paths = append(paths, path)
			return
		}
		w := want.(map[string]any)
		_, free := w["string"]
		free = free && len(w) == 1
		for k, v := range g {
			sub := path + "." + k
			if free {
				walk(strings.TrimPrefix(path+".*", "."), v, w["string"])
				continue
			}
			wv, ok := w[k]
			if !ok {
				t.Errorf("%s: sent, but not in the spec example's request (its keys: %s)", strings.TrimPrefix(sub, "."), strings.Join(keys(w), ", "))
				continue
			}
			walk(strings.TrimPrefix(sub, "."), v, wv)
		}
	}
	walk("", sent, example)
	sort.Strings(paths)
	return dedupe(paths)
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestModelCreateBodyMatchesTheSpec: `ml model create` of a local folder
// PUTs a ModelVersion whose every field is one of the spec example's, with
// az's values (the long datastore URI of the LocalUpload path, the type as
// az writes it, isAnonymous false).
func TestModelCreateBodyMatchesTheSpec(t *testing.T) {
	w := newAssetWorld(t, false)
	m, err := spec.LoadModel(context.Background(), "", nil, []spec.Override{
		spec.Flag("--name", "name", "heart"), spec.Flag("--path", "path", filepath.Join(w.dir, "deploy", "model")),
		spec.Flag("--type", "type", "mlflow_model"), spec.Flag("--description", "description", "d"),
		spec.Flag("--tags", "tags.source", "uci"), spec.Flag("--set", "properties.k", "v"),
		spec.Flag("--set", "flavors.python_function.loader_module", "mlflow.sklearn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.c.Assets(UploadOptions{}).CreateModel(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != "1" || !r.Created {
		t.Errorf("registered %+v, want a new version 1", r)
	}
	puts := w.arm.seen(http.MethodPut, "/models/heart/versions/1")
	if len(puts) != 1 {
		t.Fatalf("PUTs = %+v, want one", puts)
	}
	sent := puts[0].Body
	got := checkFieldsInSpec(t, sent, specRequest(t, "ModelVersion_createOrUpdate.json", "body"))
	want := []string{"properties.description", "properties.flavors.*.data.*", "properties.isAnonymous", "properties.modelType",
		"properties.modelUri", "properties.properties.*", "properties.tags.*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields sent:\n got %v\nwant %v", got, want)
	}
	props := sent["properties"].(map[string]any)
	uri, _ := props["modelUri"].(string)
	wantPrefix := "azureml://subscriptions/" + fakeSub + "/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/LocalUpload/"
	if !strings.HasPrefix(uri, wantPrefix) || !strings.HasSuffix(uri, "/model") || props["modelType"] != "mlflow_model" || props["isAnonymous"] != false {
		t.Errorf("properties = %v", props)
	}
	if !w.blobExists(t, strings.TrimPrefix(uri, strings.TrimSuffix(wantPrefix, "LocalUpload/"))+"/model.json") {
		t.Errorf("model files not uploaded to %s", uri)
	}
}

// TestComputeCreateBodyMatchesTheSpec: `ml compute create` of the public
// cluster-basic.yml PUTs a compute whose every field is one of the spec
// example's (BasicAmlCompute), with az's values and defaults; the
// operation is awaited; delete sends underlyingResourceAction=Delete.
func TestComputeCreateBodyMatchesTheSpec(t *testing.T) {
	arm := newFakeARM("")
	arm.pending = 2
	c := newTestClient(t, arm, nil, false)
	comp, err := spec.LoadCompute(context.Background(), "", nil, []spec.Override{
		spec.Flag("--name", "name", "basic-example"), spec.Flag("--type", "type", "amlcompute"),
		spec.Flag("--size", "size", "STANDARD_DS3_v2"), spec.Flag("--min-instances", "min_instances", "0"),
		spec.Flag("--max-instances", "max_instances", "2"), spec.Flag("--idle-time-before-scale-down", "idle_time_before_scale_down", "120"),
		spec.Flag("--tier", "tier", "dedicated"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.CreateOrUpdateCompute(context.Background(), comp.Name, comp.ARM("westus2"), fastWait)
	if err != nil {
		t.Fatal(err)
	}
	if v := ComputeView(got); v["provisioning_state"] != "Succeeded" || v["idle_time_before_scale_down"] != int64(120) || v["max_instances"] != int32(2) {
		t.Errorf("view = %v", v)
	}
	if polls := arm.seen(http.MethodGet, "/operations/"); len(polls) != 3 {
		t.Errorf("polled %d times, want 3 (the operation was awaited)", len(polls))
	}
	puts := arm.seen(http.MethodPut, "/computes/basic-example")
	if len(puts) != 1 {
		t.Fatalf("PUTs = %+v", puts)
	}
	sent := puts[0].Body
	fields := checkFieldsInSpec(t, sent, specRequest(t, "Compute_createOrUpdate_BasicAmlCompute.json", "parameters"))
	want := []string{"location", "properties.computeType", "properties.properties.enableNodePublicIp",
		"properties.properties.remoteLoginPortPublicAccess", "properties.properties.scaleSettings.maxNodeCount",
		"properties.properties.scaleSettings.minNodeCount", "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown",
		"properties.properties.vmPriority", "properties.properties.vmSize"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("fields sent:\n got %v\nwant %v", fields, want)
	}
	wantBody := `{"location":"westus2","properties":{"computeType":"AmlCompute","properties":{"enableNodePublicIp":true,` +
		`"remoteLoginPortPublicAccess":"NotSpecified","scaleSettings":{"maxNodeCount":2,"minNodeCount":0,"nodeIdleTimeBeforeScaleDown":"PT2M"},` +
		`"vmPriority":"Dedicated","vmSize":"STANDARD_DS3_v2"}}}`
	if g := mustJSON(t, sent); g != wantBody {
		t.Errorf("PUT body\n got %s\nwant %s", g, wantBody)
	}

	if err := c.DeleteCompute(context.Background(), "basic-example", fastWait); err != nil {
		t.Fatal(err)
	}
	dels := arm.seen(http.MethodDelete, "/computes/basic-example")
	if len(dels) != 1 || !strings.Contains(dels[0].Query, "underlyingResourceAction=Delete") {
		t.Errorf("DELETE = %+v, want underlyingResourceAction=Delete", dels)
	}
	if _, err := c.GetCompute(context.Background(), "basic-example"); err == nil {
		t.Error("compute still there after delete")
	}
}

// TestComputeViewOfTheSpecExample: the spec's AmlCompute GET reads as az
// prints a cluster.
func TestComputeViewOfTheSpecExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "spec-2025-12-01", "Compute_get_AmlCompute.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Responses map[string]struct {
			Body json.RawMessage `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	var r armmachinelearning.ComputeResource
	if err := json.Unmarshal(ex.Responses["200"].Body, &r); err != nil {
		t.Fatal(err)
	}
	got := mustJSON(t, ComputeView(&r))
	want := `{"created_on":"2021-04-01T22:00:00.000000+0000","description":"some compute","enable_node_public_ip":true,` +
		`"id":"/subscriptions/34adfa4f-cedf-4dc0-ba29-b6d1a69ab345/resourceGroups/testrg123/providers/Microsoft.MachineLearningServices/workspaces/workspaces123/computes/compute123",` +
		`"idle_time_before_scale_down":300,"location":"eastus2","max_instances":1,"min_instances":0,"name":"compute123",` +
		`"provisioning_state":"Succeeded","size":"STANDARD_NC6","ssh_public_access_enabled":true,"tier":"dedicated","type":"amlcompute"}`
	if got != want {
		t.Errorf("view\n got %s\nwant %s", got, want)
	}
}

// TestEnvironmentCreateBodyMatchesTheSpec: `ml environment create` PUTs an
// EnvironmentVersion whose every field is one of the spec example's: for
// an image with a conda file and inference routes, the conda file as text
// (as az sends it); for a local build context, the https URL of the
// uploaded folder ending in "/" and the Dockerfile path, as az sends them.
func TestEnvironmentCreateBodyMatchesTheSpec(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	example := specRequest(t, "EnvironmentVersion_createOrUpdate.json", "body")
	file := filepath.Join(w.dir, "env.yml")
	if err := os.WriteFile(file, []byte(`$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: sklearn-env
image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
conda_file: deploy/env/conda.yml
description: d
tags: {team: ml}
properties: {k: v}
inference_config:
  liveness_route: {port: 5001, path: /health}
  readiness_route: {port: 5001, path: /ready}
  scoring_route: {port: 5001, path: /score}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := spec.LoadEnvironment(context.Background(), file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.c.Assets(UploadOptions{}).CreateEnvironment(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != "1" || !r.Created || r.Environment == nil {
		t.Errorf("registered %+v, want a new version 1", r)
	}
	puts := w.arm.seen(http.MethodPut, "/environments/sklearn-env/versions/1")
	if len(puts) != 1 {
		t.Fatalf("PUTs = %+v, want one", puts)
	}
	got := checkFieldsInSpec(t, puts[0].Body, example)
	want := []string{"properties.condaFile", "properties.description", "properties.image",
		"properties.inferenceConfig.livenessRoute.path", "properties.inferenceConfig.livenessRoute.port",
		"properties.inferenceConfig.readinessRoute.path", "properties.inferenceConfig.readinessRoute.port",
		"properties.inferenceConfig.scoringRoute.path", "properties.inferenceConfig.scoringRoute.port",
		"properties.properties.*", "properties.tags.*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields sent:\n got %v\nwant %v", got, want)
	}
	props := puts[0].Body["properties"].(map[string]any)
	if props["condaFile"] != "dependencies:\n- python=3.11\nname: e\n" {
		t.Errorf("condaFile = %q, want the conda file as az dumps it", props["condaFile"])
	}

	// A build context, with flags only; a second create without --version
	// is a new version (as az), the context is not uploaded again.
	e, err = spec.LoadEnvironment(context.Background(), "", nil, []spec.Override{
		spec.Flag("--name", "name", "docker-env"), spec.Flag("--build-context", "build.path", filepath.Join(w.dir, "deploy", "code")),
		spec.Flag("--dockerfile-path", "build.dockerfile_path", "score.py"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"1", "2"} {
		r, err := w.c.Assets(UploadOptions{}).CreateEnvironment(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != version || !r.Created {
			t.Errorf("create: %+v, want new version %s", r, version)
		}
	}
	puts = w.arm.seen(http.MethodPut, "/environments/docker-env/versions/")
	if len(puts) != 2 {
		t.Fatalf("PUTs = %+v, want two", puts)
	}
	if got := checkFieldsInSpec(t, puts[0].Body, example); strings.Join(got, " ") != "properties.build.contextUri properties.build.dockerfilePath" {
		t.Errorf("fields sent: %v", got)
	}
	build := puts[0].Body["properties"].(map[string]any)["build"].(map[string]any)
	uri, _ := build["contextUri"].(string)
	if !strings.HasPrefix(uri, "http") || !strings.Contains(uri, "/azureml-blobstore/LocalUpload/") || !strings.HasSuffix(uri, "/code/") || build["dockerfilePath"] != "score.py" {
		t.Errorf("build = %v", build)
	}
	if !w.blobExists(t, strings.TrimSuffix(uri[strings.Index(uri, "LocalUpload/"):], "/")+"/score.py") {
		t.Errorf("build context not uploaded to %s", uri)
	}
	if mustJSON(t, puts[1].Body) != mustJSON(t, puts[0].Body) {
		t.Errorf("second version's body differs:\n%v\n%v", puts[1].Body, puts[0].Body)
	}
}

// specComponent is a command component as azureml-examples writes one
// (cli/assets/component), with every kind of port az handles.
const specComponent = `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train_data_component
version: "1"
display_name: Train
description: Trains a model.
tags: {owner: ml}
type: command
inputs:
  training_data:
    type: uri_folder
  max_epochs:
    type: integer
    default: 20
    min: 1
    max: 100
  learning_rate:
    type: number
    default: 0.01
    optional: true
  verbose:
    type: boolean
    default: false
  mode:
    type: string
    enum: [fast, full]
    default: fast
outputs:
  model_output:
    type: mlflow_model
    mode: upload
code: deploy/code
environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
command: python score.py --data ${{inputs.training_data}} --epochs ${{inputs.max_epochs}} --out ${{outputs.model_output}}
`

// TestComponentCreateBodyMatchesTheSpec: `ml component create` of a
// command component with a local code folder uploads the folder, registers
// it as a code version, and PUTs a ComponentVersion whose envelope has
// only fields of the spec examples (2025-12-01's workspace example and
// 2024-04-01's, the api-version the client sends; the two bodies are the
// same) and whose componentSpec, an opaque object there, is what
// azure-ai-ml's _to_rest_object sends: the YAML keys, code as the
// azureml: id of the code version, is_deterministic true by default,
// port defaults and bounds as Python's str() writes them, and _source.
func TestComponentCreateBodyMatchesTheSpec(t *testing.T) {
	w := newAssetWorld(t, false)
	file := filepath.Join(w.dir, "train.yml")
	if err := os.WriteFile(file, []byte(specComponent), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := spec.LoadComponent(context.Background(), file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := w.c.Assets(UploadOptions{}).CreateComponent(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if *cv.ID != fakeWS+"/components/train_data_component/versions/1" {
		t.Errorf("id = %s", *cv.ID)
	}
	codes := w.arm.seen(http.MethodPut, "/codes/")
	puts := w.arm.seen(http.MethodPut, "/components/train_data_component/versions/1")
	if len(codes) != 1 || len(puts) != 1 {
		t.Fatalf("PUTs: %d codes, %d components, want one of each", len(codes), len(puts))
	}
	codeURI, _ := codes[0].Body["properties"].(map[string]any)["codeUri"].(string)
	if i := strings.Index(codeURI, "LocalUpload/"); i < 0 || !w.blobExists(t, codeURI[i:]+"/score.py") {
		t.Errorf("code folder not uploaded to %q", codeURI)
	}

	props := puts[0].Body["properties"].(map[string]any)
	envelope := map[string]any{"properties": map[string]any{}}
	for k, v := range props {
		if k != "componentSpec" {
			envelope["properties"].(map[string]any)[k] = v
		}
	}
	for _, ex := range []map[string]any{
		specRequest(t, "ComponentVersion_createOrUpdate.json", "body"),
		specRequestIn(t, "spec-2024-04-01", "Registry_ComponentVersion_createOrUpdate.json", "body"),
	} {
		got := checkFieldsInSpec(t, envelope, ex)
		if want := "properties.description properties.isAnonymous properties.tags.*"; strings.Join(got, " ") != want {
			t.Errorf("fields sent:\n got %v\nwant %v", got, want)
		}
		if k := kind(ex["properties"].(map[string]any)["componentSpec"]); kind(props["componentSpec"]) != k {
			t.Errorf("componentSpec sent as %s, the spec example has %s", kind(props["componentSpec"]), k)
		}
	}
	if props["isAnonymous"] != false || props["description"] != "Trains a model." {
		t.Errorf("properties = %v", props)
	}

	codeID := codes[0].Path[:strings.LastIndex(codes[0].Path, "/versions/")] + "/versions/1"
	want := map[string]any{
		"$schema": "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
		"name":    "train_data_component", "version": "1", "display_name": "Train", "description": "Trains a model.",
		"tags": map[string]any{"owner": "ml"}, "type": "command", "is_deterministic": true,
		"inputs": map[string]any{
			"training_data": map[string]any{"type": "uri_folder"},
			"max_epochs":    map[string]any{"type": "integer", "default": "20", "min": "1", "max": "100"},
			"learning_rate": map[string]any{"type": "number", "default": "0.01", "optional": true},
			"verbose":       map[string]any{"type": "boolean", "default": "False"},
			"mode":          map[string]any{"type": "string", "enum": []any{"fast", "full"}, "default": "fast"},
		},
		"outputs":     map[string]any{"model_output": map[string]any{"type": "mlflow_model", "mode": "upload"}},
		"command":     "python score.py --data ${{inputs.training_data}} --epochs ${{inputs.max_epochs}} --out ${{outputs.model_output}}",
		"code":        "azureml:" + fakeWS + codeID,
		"environment": "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
		"_source":     "YAML.COMPONENT",
	}
	if got, w := mustJSON(t, props["componentSpec"]), mustJSON(t, want); got != w {
		t.Errorf("componentSpec\n got %s\nwant %s", got, w)
	}
}

// TestDatastoreCreateBodyMatchesTheSpec: `ml datastore create` of a blob
// datastore with an account key PUTs, with skipValidation=true, exactly
// the body azure-ai-ml sent in its recording for the same datastore, every
// field of which is one of the REST spec example's; the answer's view has
// no secret; delete sends DELETE, after which the datastore is not found.
func TestDatastoreCreateBodyMatchesTheSpec(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "datastore_create_recorded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Put struct {
			RequestBody json.RawMessage
		} `json:"put"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	const key = "dGhpcyBpcyBmYWtlIGtleQ=="
	yml := "$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json\nname: test_587359455061\ntype: azure_blob\n" +
		"account_name: teststorageaccount\ncontainer_name: testblob\ncredentials:\n  account_key: " + key + "\n"
	ds, err := spec.LoadDatastore(context.Background(), "-", strings.NewReader(yml), nil)
	if err != nil {
		t.Fatal(err)
	}
	arm := newFakeARM("")
	c := newTestClient(t, arm, nil, false)
	got, err := c.CreateOrUpdateDatastore(context.Background(), ds.Name, ds.ARM(c.StorageEndpoint()))
	if err != nil {
		t.Fatal(err)
	}
	puts := arm.seen(http.MethodPut, "/datastores/test_587359455061")
	if len(puts) != 1 {
		t.Fatalf("PUTs = %+v", puts)
	}
	if q := puts[0].Query; !strings.Contains(q, "skipValidation=true") || !strings.Contains(q, "api-version=") {
		t.Errorf("query %q, want skipValidation=true and an api-version", q)
	}
	var recorded map[string]any
	if err := json.Unmarshal(rec.Put.RequestBody, &recorded); err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, puts[0].Body), mustJSON(t, recorded); g != w {
		t.Errorf("PUT body\n got %s\nwant %s (azure-ai-ml's, recorded)", g, w)
	}
	fields := checkFieldsInSpec(t, puts[0].Body, specRequest(t, "Datastore_createOrUpdate_AzureBlobWAccountKey.json", "body"))
	want := []string{"properties.accountName", "properties.containerName", "properties.credentials.credentialsType",
		"properties.credentials.secrets.key", "properties.credentials.secrets.secretsType", "properties.datastoreType",
		"properties.endpoint", "properties.protocol"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("fields sent:\n got %v\nwant %v", fields, want)
	}
	view := mustJSON(t, DatastoreView(got))
	if strings.Contains(view, key) || !strings.Contains(view, `"credentials":{"type":"account_key"}`) || !strings.Contains(view, `"name":"test_587359455061"`) {
		t.Errorf("view %s", view)
	}

	// A SAS and an identity-based datastore: the same envelope, their own
	// credentials.
	for _, tt := range []struct{ creds, want string }{
		{"credentials:\n  sas_token: sig=abc\n", `"credentials":{"credentialsType":"Sas","secrets":{"sasToken":"sig=abc","secretsType":"Sas"}}`},
		{"", `"credentials":{"credentialsType":"None"}`},
	} {
		ds, err := spec.LoadDatastore(context.Background(), "-", strings.NewReader("name: other\ntype: azure_blob\naccount_name: a\ncontainer_name: c\n"+tt.creds), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateOrUpdateDatastore(context.Background(), ds.Name, ds.ARM(c.StorageEndpoint())); err != nil {
			t.Fatal(err)
		}
		puts := arm.seen(http.MethodPut, "/datastores/other")
		if body := mustJSON(t, puts[len(puts)-1].Body); !strings.Contains(body, tt.want) {
			t.Errorf("body %s, want %s", body, tt.want)
		}
	}

	if err := c.DeleteDatastore(context.Background(), "test_587359455061"); err != nil {
		t.Fatal(err)
	}
	if dels := arm.seen(http.MethodDelete, "/datastores/test_587359455061"); len(dels) != 1 {
		t.Errorf("DELETEs = %+v", dels)
	}
	var nf *clierr.NotFoundError
	if _, err := c.GetDatastore(context.Background(), "test_587359455061"); !errors.As(err, &nf) {
		t.Errorf("GET after delete: %v, want not found", err)
	}
}
