package invocation

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCase renders one command line to a scoring body. fixtureID names the
// case of testdata/fixtures/constructed_invoke_bodies.json whose body the
// golden file must equal (0: an ml-only case, where az fails or cannot
// express it).
type goldenCase struct {
	name      string
	fixtureID int
	flags     Flags
	// resolved stands in for upload and asset resolution; the fixtures'
	// placeholders (<md5>, <sub>) pass through as plain text.
	resolved map[string]string
}

const fixtureWS = "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>"

var goldenCases = []goldenCase{
	{name: "case01_input_https", fixtureID: 1,
		flags: Flags{Endpoint: "ep", Input: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"}},
	{name: "case02_input_type_uri_file", fixtureID: 2,
		flags: Flags{Endpoint: "ep", Deployment: "dep", InputType: "uri_file", Input: "https://azuremlexamples.blob.core.windows.net/datasets/iris.csv"}},
	{name: "case03_input_type_datastore_uri", fixtureID: 3,
		flags: Flags{Endpoint: "ep", InputType: "uri_folder", Input: "azureml://datastores/workspaceblobstore/paths/data/mnist"}},
	{name: "case04_input_asset_version", fixtureID: 4,
		flags:    Flags{Endpoint: "ep", Input: "azureml:heart-unlabeled:1"},
		resolved: map[string]string{"UriFolder": fixtureWS + "/data/heart-unlabeled/versions/1"}},
	{name: "case05_local_folder_with_flags", fixtureID: 5,
		flags: Flags{Endpoint: "ep", Input: "./mnist_folder", InstanceCount: ptr(int64(2)), MiniBatchSize: ptr(int64(5)),
			OutputPath: "azureml://datastores/workspaceblobstore/paths/tests/output", JobName: "myjob"},
		resolved: map[string]string{"UriFolder": "azureml://datastores/workspaceblobstore/paths/LocalUpload/<md5>/mnist_folder/"}},
	{name: "case06_set_literal_experiment", fixtureID: 6,
		flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.score_mode=append"}}, ExperimentName: "exp1"}},
	{name: "case07_file_inputs_outputs", fixtureID: 7,
		flags:    Flags{Endpoint: "ep", File: "testdata/files/case07_invoke.yml"},
		resolved: map[string]string{"heart_dataset": fixtureWS + "/data/heart-unlabeled/versions/<latest>"}},
	{name: "case08_file_scalar_is_literal", fixtureID: 8,
		flags: Flags{Endpoint: "ep", File: "testdata/files/case08_invoke.yml"}},
	// az: "Must provide either version or label." We classify by form.
	{name: "case09_datastore_uri_without_input_type",
		flags: Flags{Endpoint: "ep", Input: "azureml://datastores/workspaceblobstore/paths/data"}},
	// az: "Invalid input path". We send the long azureml:// URI.
	{name: "case10_arm_datastore_path",
		flags: Flags{Endpoint: "ep", InputType: "uri_folder", Input: fixtureWS + "/datastores/workspaceblobstore/paths/data"}},
	// Everything az cannot send: settings, model input modes, output modes.
	{name: "ml_file_with_settings",
		flags: Flags{File: "testdata/files/settings_invoke.yml"},
		resolved: map[string]string{
			"model_in": "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/models/heart-model/versions/3"}},
	{name: "ml_output_path_with_file_name",
		flags: Flags{Endpoint: "ep", InputType: "uri_file", Input: "https://azuremlexamples.blob.core.windows.net/datasets/iris.csv",
			OutputPath: "azureml://datastores/workspaceblobstore/paths/batch/out", Set: [][]string{{"output_file_name=iris_scores.csv", "logging_level=info"}}}},
}

func renderCase(t *testing.T, c goldenCase) []byte {
	t.Helper()
	inv, err := Build(context.Background(), c.flags, nil)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	req, err := inv.Request(c.resolved)
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	// No HTML escaping, so placeholders such as <md5> stay readable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(req); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenBodies(t *testing.T) {
	fixtures := constructedBodies(t)
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got := renderCase(t, c)
			golden := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			requireJSONEqual(t, got, want)
			if c.fixtureID != 0 {
				fixture, ok := fixtures[c.fixtureID]
				if !ok {
					t.Fatalf("constructed_invoke_bodies.json has no body for case %d", c.fixtureID)
				}
				requireJSONEqual(t, got, fixture)
			}
		})
	}
}

// constructedBodies returns the bodies of constructed_invoke_bodies.json by
// case id.
func constructedBodies(t *testing.T) map[int]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/fixtures/constructed_invoke_bodies.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			ID   int             `json:"id"`
			Body json.RawMessage `json:"body"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[int]json.RawMessage{}
	for _, c := range doc.Cases {
		if c.Body != nil {
			out[c.ID] = c.Body
		}
	}
	if len(out) != 8 {
		t.Fatalf("expected 8 cases with a body, found %d", len(out))
	}
	return out
}

// TestRecordedBodies reproduces the request bodies az/the SDK actually sent
// in the recorded sessions.
func TestRecordedBodies(t *testing.T) {
	tests := []struct {
		file  string
		body  func(raw map[string]json.RawMessage) json.RawMessage
		flags Flags
	}{
		{
			file:  "invoke_single_input_uri_folder.request_response.json",
			body:  requestBody,
			flags: Flags{Endpoint: "ep", Input: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"},
		},
		{
			file: "invoke_named_inputs_dict.request_response.json",
			body: requestBody,
			flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.input1.type=uri_folder",
				"inputs.input1.path=https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}},
		},
		{
			file: "invoke_single_input_uri_file_then_job_get_and_cancel.json",
			body: func(raw map[string]json.RawMessage) json.RawMessage {
				var entries []map[string]json.RawMessage
				mustUnmarshal(raw["entries"], &entries)
				return requestBody(entries[0])
			},
			flags: Flags{Endpoint: "ep", InputType: "uri_file", Input: "https://azuremlexamples.blob.core.windows.net/datasets/iris.csv"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readFixture(t, tt.file)
			got := renderCase(t, goldenCase{flags: tt.flags})
			requireJSONEqual(t, got, tt.body(raw))
		})
	}
}

func readFixture(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	mustUnmarshal(data, &raw)
	return raw
}

func requestBody(exchange map[string]json.RawMessage) json.RawMessage {
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	mustUnmarshal(exchange["request"], &req)
	return req.Body
}

func responseBody(exchange map[string]json.RawMessage) json.RawMessage {
	var resp struct {
		Body json.RawMessage `json:"body"`
	}
	mustUnmarshal(exchange["response"], &resp)
	return resp.Body
}

func mustUnmarshal(data []byte, v any) {
	if err := json.Unmarshal(data, v); err != nil {
		panic(fmt.Sprintf("fixture is not the expected JSON: %v", err))
	}
}

// TestCompatFormsRenderTodaysBody: the preview CLI's flags and the Azure
// docs' space-separated --set, once Compat has read them, render exactly
// the golden body of today's form.
func TestCompatFormsRenderTodaysBody(t *testing.T) {
	tests := []struct {
		golden string // a goldenCases name, or a recorded fixture
		flags  Flags
		legacy LegacyFlags
		// resolved as the golden case resolves its references.
		resolved map[string]string
	}{
		{golden: "case01_input_https",
			flags: Flags{Endpoint: "ep"}, legacy: LegacyFlags{InputPath: "folder:https://pipelinedata.blob.core.windows.net/sampledata/mnist"}},
		{golden: "case02_input_type_uri_file",
			flags: Flags{Endpoint: "ep", Deployment: "dep"}, legacy: LegacyFlags{InputPath: "file:https://azuremlexamples.blob.core.windows.net/datasets/iris.csv"}},
		{golden: "case04_input_asset_version",
			flags: Flags{Endpoint: "ep"}, legacy: LegacyFlags{InputDataset: "azureml:heart-unlabeled:1"},
			resolved: map[string]string{"UriFolder": fixtureWS + "/data/heart-unlabeled/versions/1"}},
		{golden: "case05_local_folder_with_flags",
			flags: Flags{Endpoint: "ep", InstanceCount: ptr(int64(2)), MiniBatchSize: ptr(int64(5)),
				OutputPath: "folder:azureml://datastores/workspaceblobstore/paths/tests/output", JobName: "myjob"},
			legacy:   LegacyFlags{InputLocalPath: "./mnist_folder"},
			resolved: map[string]string{"UriFolder": "azureml://datastores/workspaceblobstore/paths/LocalUpload/<md5>/mnist_folder/"}},
		{golden: "case06_set_literal_experiment",
			flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.score_mode", "append"}}, ExperimentName: "exp1"}},
		{golden: "invoke_named_inputs_dict.request_response.json",
			flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.input1.type", "uri_folder",
				"inputs.input1.path", "https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			f := tt.flags
			notes, err := f.Compat(tt.legacy)
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) == 0 {
				t.Errorf("no note names today's form")
			}
			got := renderCase(t, goldenCase{flags: f, resolved: tt.resolved})
			var want []byte
			if strings.HasSuffix(tt.golden, ".json") {
				want = requestBody(readFixture(t, tt.golden))
			} else if want, err = os.ReadFile(filepath.Join("testdata", "golden", tt.golden+".json")); err != nil {
				t.Fatal(err)
			}
			requireJSONEqual(t, got, want)
		})
	}
}
