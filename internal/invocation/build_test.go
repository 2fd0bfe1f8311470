package invocation

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// writeFile writes a --file into dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuild(t *testing.T) {
	dir := inLocalTree(t)
	base := writeFile(t, dir, "base.yml", `endpoint: file-ep
deployment: file-dep
job_name: file-job
experiment_name: file-exp
inputs:
  heart: {type: uri_folder, path: ./mnist, mode: download}
  threshold: 5
  label: {type: string, default: keep}
outputs:
  score: {type: uri_file, path: azureml://datastores/workspaceblobstore/paths/out/p.csv}
settings:
  mini_batch_size: 10
  error_threshold: 3
  logging_level: warning
`)
	tests := []struct {
		name  string
		flags Flags
		want  Invocation
	}{
		{
			name:  "--input defaults to uri_folder and is keyed by type",
			flags: Flags{Endpoint: "ep", Input: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"},
			want: Invocation{Endpoint: "ep", SingleInput: true, Inputs: []Input{
				{Name: "UriFolder", Type: TypeURIFolder, Path: "https://pipelinedata.blob.core.windows.net/sampledata/mnist"}}},
		},
		{
			name:  "--input-type uri_file",
			flags: Flags{Endpoint: "ep", Deployment: "dep", Input: "data.csv", InputType: "uri_file"},
			want: Invocation{Endpoint: "ep", Deployment: "dep", SingleInput: true, Inputs: []Input{
				{Name: "UriFile", Type: TypeURIFile, Path: "data.csv"}}},
		},
		{
			name: "--input with every dedicated flag",
			flags: Flags{Endpoint: "ep", Input: "./mnist", MiniBatchSize: ptr(int64(5)), InstanceCount: ptr(int64(2)),
				OutputPath: "azureml://datastores/workspaceblobstore/paths/tests/output", JobName: "myjob", ExperimentName: "exp"},
			want: Invocation{Endpoint: "ep", JobName: "myjob", ExperimentName: "exp", SingleInput: true,
				Inputs:   []Input{{Name: "UriFolder", Type: TypeURIFolder, Path: "./mnist"}},
				Outputs:  []Output{{Name: "output_name", Type: TypeURIFile, Path: "azureml://datastores/workspaceblobstore/paths/tests/output"}},
				Settings: Settings{MiniBatchSize: ptr(int64(5)), InstanceCount: ptr(int64(2))}},
		},
		{
			name: "--output-path long form is sent short; output_file_name is appended as the SDK does",
			flags: Flags{Endpoint: "ep", OutputPath: "azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/ds/paths/out/",
				Set: [][]string{{"output_file_name=scores.csv"}}},
			want: Invocation{Endpoint: "ep",
				Outputs:  []Output{{Name: "output_name", Type: TypeURIFile, Path: "azureml://datastores/ds/paths/out/scores.csv"}},
				Settings: Settings{OutputFileName: ptr("scores.csv")}},
		},
		{
			name:  "--set scalar is a string literal even when numeric",
			flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.score_mode=append", "inputs.n=5"}}},
			want: Invocation{Endpoint: "ep", Inputs: []Input{
				{Name: "n", Type: TypeString, Value: "5"}, {Name: "score_mode", Type: TypeString, Value: "append"}}},
		},
		{
			name: "--set typed literals are canonicalised like az",
			flags: Flags{Endpoint: "ep", Set: [][]string{
				{"inputs.n.type=number", "inputs.n.default=5", "inputs.n.min=0", "inputs.n.max=10"},
				{"inputs.k.type=integer", "inputs.k.value=7.0"},
				{"inputs.b.type=boolean", "inputs.b.default=true"},
			}},
			want: Invocation{Endpoint: "ep", Inputs: []Input{
				{Name: "b", Type: TypeBoolean, Value: "True"},
				{Name: "k", Type: TypeInteger, Value: "7"},
				{Name: "n", Type: TypeNumber, Value: "5.0", Min: "0.0", Max: "10.0"}}},
		},
		{
			name: "--set data input: ARM datastore path becomes the long URI, mode canonical",
			flags: Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=uri_folder",
				"inputs.heart.path=" + armWS + "/datastores/workspaceblobstore/paths/data/mnist", "inputs.heart.mode=ReadOnlyMount"}}},
			want: Invocation{Endpoint: "ep", Inputs: []Input{
				{Name: "heart", Type: TypeURIFolder, Path: longURI, Mode: "ro_mount"}}},
		},
		{
			name: "--set outputs",
			flags: Flags{Endpoint: "ep", Set: [][]string{{"outputs.score.type=uri_file",
				"outputs.score.path=" + armWS + "/datastores/workspaceblobstore/paths/o.csv", "outputs.score.mode=Upload"}}},
			want: Invocation{Endpoint: "ep", Outputs: []Output{{Name: "score", Type: TypeURIFile,
				Path: "azureml://subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1/datastores/workspaceblobstore/paths/o.csv", Mode: "upload"}}},
		},
		{
			name:  "--file alone; names from the file",
			flags: Flags{File: base},
			want: Invocation{Endpoint: "file-ep", Deployment: "file-dep", JobName: "file-job", ExperimentName: "file-exp",
				Inputs: []Input{
					{Name: "heart", Type: TypeURIFolder, Path: "./mnist", Mode: "download"},
					{Name: "label", Type: TypeString, Value: "keep"},
					{Name: "threshold", Type: TypeInteger, Value: "5"}},
				Outputs:  []Output{{Name: "score", Type: TypeURIFile, Path: "azureml://datastores/workspaceblobstore/paths/out/p.csv"}},
				Settings: Settings{MiniBatchSize: ptr(int64(10)), ErrorThreshold: ptr(int64(3)), LoggingLevel: ptr("Warning")}},
		},
		{
			name: "flags win over the file; --set overrides the file key by key",
			flags: Flags{File: base, Endpoint: "ep", Deployment: "dep", JobName: "job", ExperimentName: "exp",
				InstanceCount: ptr(int64(4)),
				Set: [][]string{
					{"inputs.heart.path=https://acct.blob.core.windows.net/c/heart"}, // keeps type and mode
					{"inputs.threshold.type=number"},                                 // re-types the file's 5
					{"inputs.label=replaced"},                                        // a scalar replaces the whole input
					{"outputs.score.mode=upload", "mini_batch_size=20", "retry_settings.timeout=30"},
				}},
			want: Invocation{Endpoint: "ep", Deployment: "dep", JobName: "job", ExperimentName: "exp",
				Inputs: []Input{
					{Name: "heart", Type: TypeURIFolder, Path: "https://acct.blob.core.windows.net/c/heart", Mode: "download"},
					{Name: "label", Type: TypeString, Value: "replaced"},
					{Name: "threshold", Type: TypeNumber, Value: "5.0"}},
				Outputs: []Output{{Name: "score", Type: TypeURIFile, Path: "azureml://datastores/workspaceblobstore/paths/out/p.csv", Mode: "upload"}},
				Settings: Settings{MiniBatchSize: ptr(int64(20)), InstanceCount: ptr(int64(4)), ErrorThreshold: ptr(int64(3)),
					TimeoutSeconds: ptr(int64(30)), LoggingLevel: ptr("Warning")}},
		},
		{
			name: "--input with a --file that has no inputs",
			flags: Flags{File: writeFile(t, dir, "settings-only.yml", "settings:\n  mini_batch_size: 3\n"),
				Endpoint: "ep", Input: "azureml:heart:1"},
			want: Invocation{Endpoint: "ep", SingleInput: true,
				Inputs:   []Input{{Name: "UriFolder", Type: TypeURIFolder, Path: "azureml:heart:1"}},
				Settings: Settings{MiniBatchSize: ptr(int64(3))}},
		},
		{
			// az fails here ("Must provide either version or label."): it
			// takes every azureml: --input without --input-type for an asset.
			name:  "--input datastore URI without --input-type is accepted",
			flags: Flags{Endpoint: "ep", Input: shortURI},
			want: Invocation{Endpoint: "ep", SingleInput: true, Inputs: []Input{
				{Name: "UriFolder", Type: TypeURIFolder, Path: shortURI}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Build(context.Background(), tt.flags, nil)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Build\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	dir := inLocalTree(t)
	withInputs := writeFile(t, dir, "with-inputs.yml", "endpoint: ep\ninputs:\n  heart: {type: uri_folder, path: ./mnist}\n  n: 5\noutputs:\n  output_name: {type: uri_file}\n")
	tests := []struct {
		name  string
		flags Flags
		want  []string
	}{
		{"no endpoint", Flags{Input: "./mnist"}, []string{"no endpoint given; add -n/--name"}},
		{"--input-type without --input", Flags{Endpoint: "ep", InputType: "uri_file"}, []string{"--input-type needs --input"}},
		{"--input-type mltable", Flags{Endpoint: "ep", Input: "./mnist", InputType: "mltable"},
			[]string{`--input-type "mltable": Unsupported input please use either a path on the datastore, public URI, a registered data asset, or a local folder path.`, "uri_folder (the default) or uri_file"}},
		{"--input with --file inputs", Flags{Endpoint: "ep", Input: "./mnist", File: withInputs},
			[]string{"--input cannot be combined with the inputs: of --file " + withInputs, "drop --input"}},
		{"--input with --set inputs", Flags{Endpoint: "ep", Input: "./mnist", Set: [][]string{{"inputs.x=1"}}},
			[]string{"--input cannot be combined with --set inputs.*", "drop --input"}},
		{"--input unknown bare word", Flags{Endpoint: "ep", Input: "mnits"}, []string{`--input: "mnits" is not a local file or folder`}},
		{"--input asset without version", Flags{Endpoint: "ep", Input: "azureml:heart"},
			[]string{"--input:", "Must provide either version or label.", "azureml:heart@latest"}},
		{"--input v1 dataset", Flags{Endpoint: "ep", Input: armWS + "/datasets/abc"}, []string{"--input:", "v1 dataset"}},
		{"--output-path not azureml", Flags{Endpoint: "ep", OutputPath: "./out"},
			[]string{"--output-path: Not a valid output_path, it should start with 'azureml:'"}},
		{"--output-path not a datastore URI", Flags{Endpoint: "ep", OutputPath: "azureml:heart:1"},
			[]string{"--output-path: Invalid AzureML datastore path URI azureml:heart:1"}},
		{"--output-path ARM form", Flags{Endpoint: "ep", OutputPath: "azureml:" + armWS + "/datastores/d/paths/p"},
			[]string{"--output-path: Invalid AzureML datastore path URI"}},
		{"--output-path and outputs.output_name", Flags{File: withInputs, OutputPath: shortURI},
			[]string{"--output-path sets the output named output_name, which outputs.output_name (" + withInputs + ":6) also sets"}},
		{"--mini-batch-size 0", Flags{Endpoint: "ep", MiniBatchSize: ptr(int64(0))}, []string{"--mini-batch-size must be a positive integer", "got 0"}},
		{"--instance-count -1", Flags{Endpoint: "ep", InstanceCount: ptr(int64(-1))}, []string{"--instance-count must be a positive integer"}},
		{"--mini-batch-size and --set mini_batch_size", Flags{Endpoint: "ep", MiniBatchSize: ptr(int64(2)), Set: [][]string{{"mini_batch_size=3"}}},
			[]string{"--mini-batch-size and --set mini_batch_size are both given; keep one"}},
		{"--instance-count and --set compute.instance_count", Flags{Endpoint: "ep", InstanceCount: ptr(int64(2)), Set: [][]string{{"compute.instance_count=3"}}},
			[]string{"--instance-count and --set instance_count are both given"}},
		{"bad --set", Flags{Endpoint: "ep", Set: [][]string{{"nonsense"}}}, []string{`--set: "nonsense" is not KEY=VALUE`}},
		{"bad --file", Flags{Endpoint: "ep", File: filepath.Join(dir, "none.yml")}, []string{"no such file"}},
		{"set input without type", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.path=./mnist"}}},
			[]string{"--set inputs.heart has no type; add --set inputs.heart.type=uri_folder"}},
		{"set input unknown type", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=folder", "inputs.heart.path=./mnist"}}},
			[]string{`--set inputs.heart: unknown input type "folder"`}},
		{"set mltable", Flags{Endpoint: "ep", Set: [][]string{{"inputs.t.type=mltable", "inputs.t.path=azureml:t:1"}}},
			[]string{"--set inputs.t: MLTable data assets aren't currently supported"}},
		{"set data input without path", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=uri_file"}}},
			[]string{"--set inputs.heart has no path; add --set inputs.heart.path="}},
		{"set data input with default", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=uri_file", "inputs.heart.path=./data.csv", "inputs.heart.default=1"}}},
			[]string{"--set inputs.heart: type uri_file is data and takes path and mode, not default/value/min/max"}},
		{"set data input bad path", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=uri_file", "inputs.heart.path=azureml:heart"}}},
			[]string{"--set inputs.heart:", "Must provide either version or label."}},
		{"set data input bad mode", Flags{Endpoint: "ep", Set: [][]string{{"inputs.heart.type=uri_file", "inputs.heart.path=./data.csv", "inputs.heart.mode=fast"}}},
			[]string{`--set inputs.heart: mode "fast" is not valid for an input`}},
		{"set literal with path", Flags{Endpoint: "ep", Set: [][]string{{"inputs.n.type=integer", "inputs.n.default=1", "inputs.n.path=./x"}}},
			[]string{"--set inputs.n: type integer is a literal and takes default (and min/max for numbers), not path/mode"}},
		{"set literal without default", Flags{Endpoint: "ep", Set: [][]string{{"inputs.n.type=integer"}}},
			[]string{"--set inputs.n has no value; add --set inputs.n.default=<value>"}},
		{"set integer not integer", Flags{Endpoint: "ep", Set: [][]string{{"inputs.n.type=integer", "inputs.n.default=abc"}}},
			[]string{`--set inputs.n: value "abc" is not an integer`}},
		{"set min on a string", Flags{Endpoint: "ep", Set: [][]string{{"inputs.s.type=string", "inputs.s.default=a", "inputs.s.min=1"}}},
			[]string{"--set inputs.s: min and max apply to integer and number inputs, not string"}},
		{"set bad bound", Flags{Endpoint: "ep", Set: [][]string{{"inputs.n.type=integer", "inputs.n.default=1", "inputs.n.max=x"}}},
			[]string{`--set inputs.n: bound value "x" is not an integer`}},
		{"set value above max", Flags{Endpoint: "ep", Set: [][]string{{"inputs.n.type=number", "inputs.n.default=1.5", "inputs.n.max=1"}}},
			[]string{"--set inputs.n: value 1.5 is above max 1.0"}},
		{"set output without type", Flags{Endpoint: "ep", Set: [][]string{{"outputs.score.path=" + shortURI}}},
			[]string{"--set outputs.score has no type; add --set outputs.score.type=uri_file"}},
		{"set output bad type", Flags{Endpoint: "ep", Set: [][]string{{"outputs.score.type=file"}}}, []string{`--set outputs.score: unknown output type "file"`}},
		{"set output local path", Flags{Endpoint: "ep", Set: [][]string{{"outputs.score.type=uri_file", "outputs.score.path=./o.csv"}}},
			[]string{`--set outputs.score: path "./o.csv" is not a datastore URI`}},
		{"set output bad mode", Flags{Endpoint: "ep", Set: [][]string{{"outputs.score.type=uri_file", "outputs.score.mode=download"}}},
			[]string{`--set outputs.score: mode "download" is not valid for an output`}},
		{"set re-types a file literal into data", Flags{File: withInputs, Set: [][]string{{"inputs.n.type=uri_folder", "inputs.n.path=./mnist"}}},
			[]string{"inputs.n (" + withInputs + ":4, --set): type uri_folder is data and takes path and mode, not default"}},
		{"set re-types a file input to an impossible value", Flags{File: withInputs, Set: [][]string{{"inputs.heart.type=integer"}}},
			[]string{"inputs.heart (" + withInputs + ":3, --set): type integer is a literal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Build(context.Background(), tt.flags, nil)
			requireUsage(t, err, tt.want...)
			if inv != nil {
				t.Errorf("Build returned %+v with an error", inv)
			}
		})
	}
}
