package invocation

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestRequestModes(t *testing.T) {
	inv := &Invocation{Inputs: []Input{
		{Name: "a", Type: TypeURIFolder, Path: "azureml://datastores/d/paths/a", Mode: "download"},
		{Name: "b", Type: TypeURIFile, Path: "azureml://datastores/d/paths/b", Mode: "ro_mount"},
		{Name: "c", Type: TypeMLTable, Path: "azureml:c:1", Mode: "eval_download"},
		{Name: "d", Type: TypeTritonModel, Path: "azureml:d:1", Mode: "ro_mount"},
		{Name: "e", Type: TypeMLFlowModel, Path: "azureml:e:1"},
		{Name: "f", Type: TypeCustomModel, Path: "azureml:f:1", Mode: "direct"},
	}, Outputs: []Output{
		{Name: "o", Type: TypeURIFolder, Path: "azureml://datastores/d/paths/o", Mode: "rw_mount"},
		{Name: "p", Type: TypeTritonModel},
	}}
	req, err := inv.Request(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(req)
	want := `{"properties":{"inputData":{
		"a":{"jobInputType":"UriFolder","uri":"azureml://datastores/d/paths/a"},
		"b":{"jobInputType":"UriFile","uri":"azureml://datastores/d/paths/b"},
		"c":{"jobInputType":"MLTable","uri":"azureml:c:1","mode":"EvalDownload"},
		"d":{"jobInputType":"TritonModel","uri":"azureml:d:1","mode":"ReadOnlyMount"},
		"e":{"jobInputType":"MLFlowModel","uri":"azureml:e:1"},
		"f":{"jobInputType":"CustomModel","uri":"azureml:f:1","mode":"Direct"}},
		"outputData":{
		"o":{"jobOutputType":"UriFolder","uri":"azureml://datastores/d/paths/o","mode":"ReadWriteMount"},
		"p":{"jobOutputType":"TritonModel"}}}}`
	requireJSONEqual(t, got, []byte(want))
}

// A caller that looks up azureml:<name>:<version> and finds a uri_file
// asset retypes the single input; the body key follows the type.
func TestRequestSingleInputRetyped(t *testing.T) {
	inv, err := Build(context.Background(), Flags{Endpoint: "ep", Input: "azureml:iris:2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Inputs[0].Type = TypeURIFile
	req, err := inv.Request(map[string]string{"UriFolder": armWS + "/data/iris/versions/2"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(req)
	requireJSONEqual(t, got, []byte(`{"properties":{"inputData":{"UriFile":{"jobInputType":"UriFile","uri":"`+armWS+`/data/iris/versions/2"}}}}`))
}

func TestRequestErrors(t *testing.T) {
	tests := []struct {
		name     string
		inv      Invocation
		resolved map[string]string
		want     string
	}{
		{"resolved name not an input", Invocation{Inputs: []Input{{Name: "a", Type: TypeURIFolder, Path: "./a"}}},
			map[string]string{"b": "x"}, `resolved URI given for "b", which is not an input`},
		{"single input with two inputs", Invocation{SingleInput: true, Inputs: []Input{
			{Name: "a", Type: TypeURIFolder, Path: "./a"}, {Name: "b", Type: TypeURIFolder, Path: "./b"}}},
			nil, "exactly one input, has 2"},
		{"single input not uri", Invocation{SingleInput: true, Inputs: []Input{{Name: "a", Type: TypeMLTable, Path: "x"}}},
			nil, `a single --input must be uri_folder or uri_file, not "mltable"`},
		{"unknown input type", Invocation{Inputs: []Input{{Name: "a", Type: "folder", Path: "./a"}}}, nil, `input "a" has unknown type "folder"`},
		{"no path", Invocation{Inputs: []Input{{Name: "a", Type: TypeURIFolder}}}, nil, `input "a" has no path`},
		{"unknown input mode", Invocation{Inputs: []Input{{Name: "a", Type: TypeMLTable, Path: "x", Mode: "fast"}}}, nil, `input "a" has unknown mode "fast"`},
		{"unknown output type", Invocation{Outputs: []Output{{Name: "o", Type: "csv"}}}, nil, `output "o" has unknown type "csv"`},
		{"unknown output mode", Invocation{Outputs: []Output{{Name: "o", Type: TypeURIFile, Mode: "ro_mount"}}}, nil, `output "o" has unknown mode "ro_mount"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.inv.Request(tt.resolved)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Request error = %v, want %q", err, tt.want)
			}
		})
	}
}

// The resolved URI replaces a local path; an empty resolved map keeps paths.
func TestRequestResolvedOverridesPath(t *testing.T) {
	inv := &Invocation{Inputs: []Input{
		{Name: "local", Type: TypeURIFolder, Path: "./mnist"},
		{Name: "remote", Type: TypeURIFile, Path: "https://h/x.csv"},
	}}
	req, err := inv.Request(map[string]string{"local": "azureml://datastores/workspaceblobstore/paths/LocalUpload/0123/mnist/"})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Properties.InputData["local"].URI; got != "azureml://datastores/workspaceblobstore/paths/LocalUpload/0123/mnist/" {
		t.Errorf("local uri = %q", got)
	}
	if got := req.Properties.InputData["remote"].URI; got != "https://h/x.csv" {
		t.Errorf("remote uri = %q", got)
	}
}
