package invocation

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseScoringBodyPascalCase(t *testing.T) {
	tests := []struct {
		file string
		want Invocation
	}{
		{
			file: "docs_data_asset_locations.json",
			want: Invocation{Inputs: []Input{{Name: "heart_dataset", Type: TypeURIFolder,
				Path: "azureml://locations/westeurope/workspaces/ws-0001/data/heart-dataset-unlabeled/versions/labels/latest"}}},
		},
		{
			file: "docs_datastore_arm.json",
			want: Invocation{Inputs: []Input{{Name: "heart_dataset", Type: TypeURIFolder,
				Path: "azureml:/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/datastores/workspaceblobstore/paths/heart-disease-uci-unlabeled"}}},
		},
		{
			file: "docs_storage_file_with_output.json",
			want: Invocation{JobName: "heart-job-1", ExperimentName: "heart",
				Inputs: []Input{{Name: "heart_dataset", Type: TypeURIFile,
					Path: "https://azuremlexampledata.blob.core.windows.net/data/heart-disease-uci/data/heart.csv"}},
				Outputs: []Output{{Name: "score", Type: TypeURIFile,
					Path: "azureml://datastores/workspaceblobstore/paths/batch-jobs/heart/predictions.csv", Mode: "upload"}},
				Settings: Settings{MiniBatchSize: ptr(int64(5)), InstanceCount: ptr(int64(2)), ErrorThreshold: ptr(int64(-1)),
					MaxRetries: ptr(int64(3)), TimeoutSeconds: ptr(int64(90)), OutputFileName: ptr("predictions.csv"), LoggingLevel: ptr("Info")}},
		},
		{
			file: "docs_literal_inputs.json",
			want: Invocation{Inputs: []Input{
				{Name: "rounds", Type: TypeLiteral, Value: "7"},
				{Name: "score_mode", Type: TypeLiteral, Value: "append"},
				{Name: "strict", Type: TypeLiteral, Value: "True"},
				{Name: "threshold", Type: TypeLiteral, Value: "0.5"},
			}},
		},
		{
			file: "docs_output_arm.json",
			want: Invocation{
				Inputs: []Input{{Name: "heart_dataset", Type: TypeURIFolder, Path: "https://azuremlexampledata.blob.core.windows.net/data/heart-disease-uci/data"}},
				Outputs: []Output{{Name: "score", Type: TypeURIFolder,
					Path: "azureml:/subscriptions/0000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/datastores/workspaceblobstore/paths/batch-jobs/my-unique-path"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "pascal", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseScoringBody(data)
			if err != nil {
				t.Fatalf("ParseScoringBody: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseScoringBody\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// TestParseRecordedBodies parses what the SDK sent and what the service
// answered (the response echoes inputs with mode and null descriptions and
// carries many keys the parser must tolerate).
func TestParseRecordedBodies(t *testing.T) {
	single := Invocation{SingleInput: true, Inputs: []Input{{Name: "UriFolder", Type: TypeURIFolder,
		Path: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}}
	named := Invocation{Inputs: []Input{{Name: "input1", Type: TypeURIFolder,
		Path: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}}
	withMode := func(inv Invocation, name string) Invocation {
		in := inv.Inputs[0]
		in.Mode = "ro_mount"
		inv.Inputs = []Input{in}
		inv.JobName = name
		return inv
	}
	file := readFixture(t, "invoke_single_input_uri_file_then_job_get_and_cancel.json")
	var entries []map[string]json.RawMessage
	mustUnmarshal(file["entries"], &entries)
	uriFile := Invocation{SingleInput: true, Inputs: []Input{{Name: "UriFile", Type: TypeURIFile,
		Path: "https://azuremlexamples.blob.core.windows.net/datasets/iris.csv"}}}
	uriFileResp := withMode(uriFile, "blue_store_3k1gd32x")
	uriFileResp.Settings = Settings{MiniBatchSize: ptr(int64(10)), ErrorThreshold: ptr(int64(-1)), MaxRetries: ptr(int64(3)),
		TimeoutSeconds: ptr(int64(30)), OutputFileName: ptr("predictions.csv"), LoggingLevel: ptr("Info")}

	folderResp := withMode(single, "lemon_yacht_26h5qxzs")
	folderResp.Settings = Settings{MaxRetries: ptr(int64(3)), TimeoutSeconds: ptr(int64(30))}
	namedResp := withMode(named, "careful_bulb_plwyqfx0")
	namedResp.Settings = folderResp.Settings

	tests := []struct {
		name string
		body json.RawMessage
		want Invocation
	}{
		{"uri_folder request", requestBody(readFixture(t, "invoke_single_input_uri_folder.request_response.json")), single},
		{"uri_folder response", responseBody(readFixture(t, "invoke_single_input_uri_folder.request_response.json")), folderResp},
		{"named request", requestBody(readFixture(t, "invoke_named_inputs_dict.request_response.json")), named},
		{"named response", responseBody(readFixture(t, "invoke_named_inputs_dict.request_response.json")), namedResp},
		{"uri_file request", requestBody(entries[0]), uriFile},
		{"uri_file response", responseBody(entries[0]), uriFileResp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScoringBody(tt.body)
			if err != nil {
				t.Fatalf("ParseScoringBody: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseScoringBody\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// wireView is what of an Invocation survives the scoring body: endpoint and
// deployment travel elsewhere, literal types and bounds are not sent, and
// the mode of uri_* inputs is dropped.
func wireView(inv Invocation, resolved map[string]string) Invocation {
	inv.Endpoint, inv.Deployment = "", ""
	inputs := make([]Input, len(inv.Inputs))
	for i, in := range inv.Inputs {
		if in.IsLiteral() {
			in.Type, in.Min, in.Max = TypeLiteral, "", ""
		} else if isURIType(in.Type) {
			in.Mode = ""
		}
		if r, ok := resolved[in.Name]; ok {
			in.Path = r
		}
		inputs[i] = in
	}
	inv.Inputs = inputs
	return inv
}

func TestRequestParseRoundTrip(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := Build(context.Background(), c.flags, nil)
			if err != nil {
				t.Fatal(err)
			}
			req, err := inv.Request(c.resolved)
			if err != nil {
				t.Fatal(err)
			}
			body, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseScoringBody(body)
			if err != nil {
				t.Fatalf("ParseScoringBody(%s): %v", body, err)
			}
			if want := wireView(*inv, c.resolved); !reflect.DeepEqual(*got, want) {
				t.Errorf("round trip\n got %+v\nwant %+v", *got, want)
			}
			// And the parsed model renders the same body again.
			again, err := got.Request(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, req) {
				t.Errorf("re-rendered body differs\n got %+v\nwant %+v", again, req)
			}
		})
	}
}

func TestParseScoringBodyTolerance(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Invocation
	}{
		{"snake enum values and mixed key case",
			`{"PROPERTIES":{"inputdata":{"m":{"JOBINPUTTYPE":"custom_model","URI":"azureml:m:1","Mode":"eval_mount"}},"outputdata":{"o":{"jobOutputType":"mlflow_model","mode":"rw_mount"}}}}`,
			Invocation{Inputs: []Input{{Name: "m", Type: TypeCustomModel, Path: "azureml:m:1", Mode: "eval_mount"}},
				Outputs: []Output{{Name: "o", Type: TypeMLFlowModel, Mode: "rw_mount"}}}},
		{"numbers as strings, nulls and unknown keys",
			`{"id":"x","properties":{"miniBatchSize":"7","compute":{"instanceCount":null,"target":"cpu"},"retrySettings":{"maxRetries":2.0,"timeout":"P1DT1H1M1.5S"},"extra":{"a":[1]},"properties":{"experimentName":"e","azureml.x":{"y":1}}}}`,
			Invocation{ExperimentName: "e", Settings: Settings{MiniBatchSize: ptr(int64(7)), MaxRetries: ptr(int64(2)), TimeoutSeconds: ptr(int64(90062))}}},
		{"empty properties", `{"properties":{}}`, Invocation{}},
		{"single-input heuristic needs the type's own key", `{"properties":{"inputData":{"UriFile":{"jobInputType":"UriFolder","uri":"u"}}}}`,
			Invocation{Inputs: []Input{{Name: "UriFile", Type: TypeURIFolder, Path: "u"}}}},
		{"mltable stays mltable on the server side", `{"properties":{"inputData":{"t":{"jobInputType":"MLTable","uri":"azureml:t:1","mode":"Download"}}}}`,
			Invocation{Inputs: []Input{{Name: "t", Type: TypeMLTable, Path: "azureml:t:1", Mode: "download"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScoringBody([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseScoringBody: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("ParseScoringBody\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseScoringBodyErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{`, "the body must be a JSON object"},
		{"array", `[]`, "the body must be a JSON object"},
		{"null", `null`, "the body must be a JSON object with a properties object"},
		{"no properties", `{"name":"x"}`, "the body has no properties object"},
		{"properties not an object", `{"properties":[1]}`, "properties must be a JSON object"},
		{"ambiguous keys", `{"properties":{"inputData":{},"InputData":{}}}`, "properties.inputData has both"},
		{"input null", `{"properties":{"inputData":{"x":null}}}`, "properties.inputData.x is null"},
		{"input without type", `{"properties":{"inputData":{"x":{"uri":"u"}}}}`, "properties.inputData.x.jobInputType is required"},
		{"input unknown type", `{"properties":{"inputData":{"x":{"jobInputType":"Folder","uri":"u"}}}}`, `jobInputType "Folder" is not one of`},
		{"input without uri", `{"properties":{"inputData":{"x":{"jobInputType":"UriFile"}}}}`, "properties.inputData.x.uri is required"},
		{"input bad mode", `{"properties":{"inputData":{"x":{"jobInputType":"MLTable","uri":"u","mode":"Upload"}}}}`, `properties.inputData.x.mode "Upload" is not one of`},
		{"literal without value", `{"properties":{"inputData":{"x":{"jobInputType":"Literal"}}}}`, "properties.inputData.x.value is required"},
		{"literal object value", `{"properties":{"inputData":{"x":{"jobInputType":"Literal","value":{}}}}}`, "must be a string, number or boolean"},
		{"uri not a string", `{"properties":{"inputData":{"x":{"jobInputType":"UriFile","uri":5}}}}`, "properties.inputData.x.uri must be a string"},
		{"output unknown type", `{"properties":{"outputData":{"o":{"jobOutputType":"Literal"}}}}`, `jobOutputType "Literal" is not one of`},
		{"output bad mode", `{"properties":{"outputData":{"o":{"jobOutputType":"UriFile","mode":"ReadOnlyMount"}}}}`, `properties.outputData.o.mode "ReadOnlyMount"`},
		{"mini batch zero", `{"properties":{"miniBatchSize":0}}`, "properties.miniBatchSize must be a positive integer"},
		{"mini batch fraction", `{"properties":{"miniBatchSize":1.5}}`, "properties.miniBatchSize must be an integer"},
		{"instance count zero", `{"properties":{"compute":{"instanceCount":0}}}`, "properties.compute.instanceCount must be a positive integer"},
		{"error threshold", `{"properties":{"errorThreshold":-5}}`, "properties.errorThreshold must be an integer >= -1"},
		{"timeout not a duration", `{"properties":{"retrySettings":{"timeout":"30s"}}}`, `properties.retrySettings.timeout: "30s" is not an ISO 8601 duration`},
		{"timeout zero", `{"properties":{"retrySettings":{"timeout":"PT0S"}}}`, "properties.retrySettings.timeout must be a positive integer number of seconds"},
		{"bad logging level", `{"properties":{"loggingLevel":"Verbose"}}`, "properties.loggingLevel must be one of Info, Warning, Debug"},
		{"bad output file name", `{"properties":{"outputFileName":"../x"}}`, "properties.outputFileName must be a plain file name"},
		{"name not a string", `{"properties":{"name":1}}`, "properties.name must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScoringBody([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseScoringBody(%s) = nil error, want %q", tt.body, tt.want)
			}
			if !errors.Is(err, ErrInvalidBody) {
				t.Errorf("error %v does not wrap ErrInvalidBody", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseISODuration(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"PT30S", 30, true}, {"PT1M30S", 90, true}, {"PT2H", 7200, true}, {"P1D", 86400, true},
		{"P1DT1S", 86401, true}, {"PT0.2S", 1, true}, {"PT0S", 0, true},
		{"P", 0, false}, {"PT", 0, false}, {"P1DT", 0, false}, {"30", 0, false}, {"PT-1S", 0, false},
		{"P1Y", 0, false}, {"PT1.5M", 0, false}, {"P99999999D", 0, false},
	}
	for _, tt := range tests {
		got, err := parseISODuration(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("parseISODuration(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if formatISODuration(300) != "PT300S" {
		t.Errorf("formatISODuration(300) = %q", formatISODuration(300))
	}
}
