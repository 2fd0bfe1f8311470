package invocation

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeFileShapes(t *testing.T) {
	inLocalTree(t)
	tests := []struct {
		name string
		yaml string
		want FileSpec
	}{
		{
			name: "scalar shorthand typed like az: bool before int",
			yaml: `inputs:
  s: some text
  b: true
  b11: yes
  quoted: "yes"
  i: 5
  hex: 0x1F
  f: 0.5
  whole: 5.0
  tiny: 1.0e-5
  day: 2024-06-01
`,
			want: FileSpec{Inputs: []Input{
				{Name: "b", Type: TypeBoolean, Value: "True"},
				{Name: "b11", Type: TypeBoolean, Value: "True"},
				{Name: "day", Type: TypeString, Value: "2024-06-01"},
				{Name: "f", Type: TypeNumber, Value: "0.5"},
				{Name: "hex", Type: TypeInteger, Value: "31"},
				{Name: "i", Type: TypeInteger, Value: "5"},
				{Name: "quoted", Type: TypeString, Value: "yes"},
				{Name: "s", Type: TypeString, Value: "some text"},
				{Name: "tiny", Type: TypeNumber, Value: "1e-05"},
				{Name: "whole", Type: TypeNumber, Value: "5.0"},
			}},
		},
		{
			name: "a scalar string is a literal even when it looks like a reference",
			yaml: "inputs:\n  x: azureml:/x@latest\n",
			want: FileSpec{Inputs: []Input{{Name: "x", Type: TypeString, Value: "azureml:/x@latest"}}},
		},
		{
			name: "mapping forms",
			yaml: `deployment: dep-1
endpoint: ep-1
job_name: job-1
experiment_name: exp-1
inputs:
  n: {type: number, default: 5, min: 0, max: 10.5}
  k: {type: integer, value: "7", min: 1}
  s: {type: string, default: 42}
  b: {type: boolean, default: "False"}
  d: {type: uri_folder, path: ./mnist, mode: ReadOnlyMount}
  f: {type: uri_file, path: "https://acct.blob.core.windows.net/c/f.csv"}
  m: {type: mlflow_model, path: "azureml:heart-model:3", mode: download}
outputs:
  score: {type: uri_file, path: azureml://datastores/workspaceblobstore/paths/out/p.csv, mode: upload}
  folder: {type: uri_folder}
`,
			want: FileSpec{
				Endpoint: "ep-1", Deployment: "dep-1", JobName: "job-1", ExperimentName: "exp-1",
				Inputs: []Input{
					{Name: "b", Type: TypeBoolean, Value: "False"},
					{Name: "d", Type: TypeURIFolder, Path: "./mnist", Mode: "ro_mount"},
					{Name: "f", Type: TypeURIFile, Path: "https://acct.blob.core.windows.net/c/f.csv"},
					{Name: "k", Type: TypeInteger, Value: "7", Min: "1"},
					{Name: "m", Type: TypeMLFlowModel, Path: "azureml:heart-model:3", Mode: "download"},
					{Name: "n", Type: TypeNumber, Value: "5.0", Min: "0.0", Max: "10.5"},
					{Name: "s", Type: TypeString, Value: "42"},
				},
				Outputs: []Output{
					{Name: "folder", Type: TypeURIFolder},
					{Name: "score", Type: TypeURIFile, Path: "azureml://datastores/workspaceblobstore/paths/out/p.csv", Mode: "upload"},
				},
			},
		},
		{
			name: "settings block, $schema, empty sections",
			yaml: `$schema: https://example.invalid/schema.json
inputs:
outputs: ~
settings:
  mini_batch_size: 20
  compute: {instance_count: 3}
  output_file_name: scores.csv
  error_threshold: -1
  retry_settings: {max_retries: 0, timeout: 300}
  logging_level: DEBUG
`,
			want: FileSpec{Settings: Settings{
				MiniBatchSize: ptr(int64(20)), InstanceCount: ptr(int64(3)), OutputFileName: ptr("scores.csv"),
				ErrorThreshold: ptr(int64(-1)), MaxRetries: ptr(int64(0)), TimeoutSeconds: ptr(int64(300)),
				LoggingLevel: ptr("Debug"),
			}},
		},
		{
			name: "anchors and aliases resolve",
			yaml: "inputs:\n  a: &d {type: uri_folder, path: ./mnist}\n  b: *d\n",
			want: FileSpec{Inputs: []Input{
				{Name: "a", Type: TypeURIFolder, Path: "./mnist"}, {Name: "b", Type: TypeURIFolder, Path: "./mnist"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeFile("f.yml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("DecodeFile: %v", err)
			}
			want := tt.want
			want.Filename = "f.yml"
			got.lines = nil
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("DecodeFile\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestDecodeFileErrors(t *testing.T) {
	inLocalTree(t)
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"empty file", "", []string{"f.yml: the file is empty"}},
		{"comments only", "# nothing\n", []string{"f.yml: the file is empty"}},
		{"syntax error", "inputs:\n  a: [1, 2\n", []string{"f.yml:", "invalid YAML"}},
		{"tab indentation", "inputs:\n\ta: 1\n", []string{"f.yml:2: invalid YAML"}},
		{"two documents", "inputs: {}\n---\nmore: 1\n", []string{"f.yml:", "a second YAML document"}},
		{"top level list", "- a\n- b\n", []string{"f.yml:1: the file must be a mapping"}},
		{"top level scalar", "hello\n", []string{"f.yml:1: the file must be a mapping"}},
		{"unknown top-level key", "deployment: d\ninptus: {}\n",
			[]string{`f.yml:2: unknown key "inptus" at the top level; valid keys: deployment, endpoint, job_name, experiment_name, inputs, outputs, settings`}},
		{"duplicate key", "inputs:\n  a: 1\n  a: 2\n", []string{`f.yml:3: duplicate key "a" in inputs (first at line 2)`}},
		{"anchored unknown key", "base: &b {type: uri_folder}\n", []string{`f.yml:1: unknown key "base" at the top level`}},
		{"merge key in input", "inputs:\n  a:\n    <<: {type: uri_folder}\n    path: ./x\n", []string{"f.yml:3: YAML merge keys (<<) are not supported in inputs.a"}},
		{"inputs is a list", "inputs:\n  - a\n", []string{"f.yml:2: inputs must be a mapping of input names to values, not a list"}},
		{"input is a list", "inputs:\n  a: [1]\n", []string{"f.yml:2: inputs.a must be a value or a mapping, not a list"}},
		{"input without value", "inputs:\n  a:\n", []string{"f.yml:2: inputs.a has no value"}},
		{"bad input name", "inputs:\n  my-data: 1\n", []string{`f.yml:2: inputs name "my-data" is not valid`}},
		{"dict input without type", "inputs:\n  heart:\n    path: ./mnist\n",
			[]string{"f.yml:3: inputs.heart has no type; add type: uri_folder"}},
		{"unknown input type", "inputs:\n  heart: {type: folder, path: ./mnist}\n",
			[]string{`f.yml:2: inputs.heart.type: unknown input type "folder"`, "uri_folder, uri_file"}},
		{"mltable input", "inputs:\n  heart: {type: mltable, path: azureml:heart:1}\n",
			[]string{"f.yml:2: inputs.heart.type: MLTable data assets aren't currently supported"}},
		{"unknown key in data input", "inputs:\n  foo:\n    type: uri_folder\n    path: ./mnist\n    x: 1\n",
			[]string{`f.yml:5: unknown key "x" in inputs.foo; valid keys: type, path, mode (for type uri_folder)`}},
		{"path on a literal", "inputs:\n  foo:\n    type: string\n    path: ./mnist\n",
			[]string{`f.yml:4: unknown key "path" in inputs.foo; valid keys: type, default, value (for type string)`}},
		{"min on a string", "inputs:\n  foo: {type: string, default: a, min: 1}\n",
			[]string{`f.yml:2: unknown key "min" in inputs.foo`}},
		{"data input without path", "inputs:\n  heart:\n    type: uri_folder\n", []string{"f.yml:3: inputs.heart has no path"}},
		{"data input bad path", "inputs:\n  heart:\n    type: uri_folder\n    path: azureml:heart\n",
			[]string{"f.yml:4: inputs.heart.path:", "Must provide either version or label."}},
		{"path is a mapping", "inputs:\n  heart:\n    type: uri_folder\n    path: {a: 1}\n",
			[]string{"f.yml:4: inputs.heart.path must be a single value, not a mapping"}},
		{"bad input mode", "inputs:\n  heart: {type: uri_folder, path: ./mnist, mode: upload}\n",
			[]string{`f.yml:2: inputs.heart.mode: mode "upload" is not valid for an input; valid modes: direct, download, eval_download, eval_mount, ro_mount, rw_mount`}},
		{"literal without default", "inputs:\n  n:\n    type: integer\n", []string{"f.yml:3: inputs.n has no default; add default: <value>"}},
		{"default and value", "inputs:\n  n:\n    type: integer\n    default: 1\n    value: 2\n", []string{"f.yml:5: inputs.n has both default and value"}},
		{"integer default not integer", "inputs:\n  n:\n    type: integer\n    default: 5.5\n",
			[]string{`f.yml:4: inputs.n.default: value "5.5" is not an integer`}},
		{"boolean default not boolean", "inputs:\n  n: {type: boolean, default: 3}\n", []string{`f.yml:2: inputs.n.default: value "3" is not a boolean`}},
		{"number default is a list", "inputs:\n  n: {type: number, default: [1]}\n", []string{"f.yml:2: inputs.n.default must be a single value, not a list"}},
		{"infinite number", "inputs:\n  n: .inf\n", []string{"f.yml:2: inputs.n:", "not a finite number"}},
		{"value below min", "inputs:\n  n:\n    type: integer\n    default: 0\n    min: 1\n", []string{"f.yml:4: inputs.n: value 0 is below min 1"}},
		{"min above max", "inputs:\n  n: {type: number, default: 2, min: 3, max: 1}\n", []string{"f.yml:2: inputs.n: min 3.0 is greater than max 1.0"}},
		{"bad max", "inputs:\n  n:\n    type: integer\n    default: 1\n    max: ten\n", []string{`f.yml:5: inputs.n.max: value "ten" is not an integer`}},
		{"huge int", "inputs:\n  n: {type: string, default: 99999999999999999999}\n", nil},
		{"binary tag", "inputs:\n  n: !!binary aGVsbG8=\n", []string{"f.yml:2: inputs.n: unsupported YAML tag !!binary"}},
		{"outputs scalar", "outputs:\n  score: ./out\n", []string{"f.yml:2: outputs.score must be a mapping with type, path and mode, not a single value"}},
		{"output without type", "outputs:\n  score:\n    path: azureml://datastores/d/paths/p\n",
			[]string{"f.yml:3: outputs.score has no type; add type: uri_file"}},
		{"output unknown type", "outputs:\n  score: {type: csv}\n", []string{`f.yml:2: outputs.score.type: unknown output type "csv"`}},
		{"output unknown key", "outputs:\n  score: {type: uri_file, default: 1}\n",
			[]string{`f.yml:2: unknown key "default" in outputs.score; valid keys: type, path, mode`}},
		{"output local path", "outputs:\n  score:\n    type: uri_file\n    path: ./out.csv\n",
			[]string{"f.yml:4: outputs.score: path \"./out.csv\" is not a datastore URI", "azureml://datastores/<datastore>/paths/<path>"}},
		{"output bad mode", "outputs:\n  score: {type: uri_file, mode: ro_mount}\n",
			[]string{`f.yml:2: outputs.score.mode: mode "ro_mount" is not valid for an output; valid modes: direct, rw_mount, upload`}},
		{"bad output name", "outputs:\n  9score: {type: uri_file}\n", []string{`f.yml:2: outputs name "9score" is not valid`}},
		{"deployment is a mapping", "deployment: {name: d}\n", []string{"f.yml:1: deployment must be a single value, not a mapping"}},
		{"empty deployment", "deployment: \"\"\n", []string{"f.yml:1: deployment must not be empty"}},
		{"null endpoint", "endpoint:\n", []string{"f.yml:1: endpoint has no value"}},
		{"settings is a list", "settings: [1]\n", []string{"f.yml:1: settings must be a mapping of settings, not a list"}},
		{"string mini batch", "settings:\n  mini_batch_size: \"5\"\n", []string{`f.yml:2: settings.mini_batch_size must be an integer, not "5"`}},
		{"float mini batch", "settings:\n  mini_batch_size: 5.5\n", []string{`f.yml:2: settings.mini_batch_size must be an integer, not "5.5"`}},
		{"zero instances", "settings:\n  instance_count: 0\n", []string{"f.yml:2: settings.instance_count must be a positive integer", "got 0"}},
		{"both instance counts", "settings:\n  instance_count: 1\n  compute:\n    instance_count: 2\n",
			[]string{"f.yml:4: settings.compute.instance_count is also given as settings.instance_count (line 2); keep one"}},
		{"both instance counts other order", "settings:\n  compute: {instance_count: 2}\n  instance_count: 1\n",
			[]string{"f.yml:3: settings.instance_count is also given as settings.compute.instance_count (line 2)"}},
		{"unknown compute key", "settings:\n  compute: {target: cpu}\n", []string{`f.yml:2: unknown key "target" in settings.compute; valid keys: instance_count`}},
		{"unknown retry key", "settings:\n  retry_settings:\n    retries: 1\n", []string{`f.yml:3: unknown key "retries" in settings.retry_settings; valid keys: max_retries, timeout`}},
		{"unknown settings key", "settings:\n  output_action: append_row\n", []string{`f.yml:2: unknown key "output_action" in settings; valid keys: mini_batch_size`}},
		{"bad logging level", "settings:\n  logging_level: verbose\n", []string{`f.yml:2: settings.logging_level must be one of Info, Warning, Debug, got "verbose"`}},
		{"bad output file name", "settings:\n  output_file_name: out/p.csv\n", []string{"f.yml:2: settings.output_file_name must be a plain file name"}},
		{"negative timeout", "settings:\n  retry_settings: {timeout: -5}\n", []string{"f.yml:2: settings.retry_settings.timeout must be a positive integer number of seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFile("f.yml", []byte(tt.yaml))
			if tt.want == nil {
				// Accepted: a YAML integer beyond int64 resolves to a float.
				if err != nil {
					t.Fatalf("DecodeFile: %v", err)
				}
				return
			}
			requireUsage(t, err, tt.want...)
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("reads the file and names it in errors", func(t *testing.T) {
		p := filepath.Join(dir, "bad.yml")
		if err := os.WriteFile(p, []byte("inputs:\n  a: {type: nope}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFile(context.Background(), p, nil)
		requireUsage(t, err, p+":2: inputs.a.type: unknown input type")
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadFile(context.Background(), filepath.Join(dir, "missing.yml"), nil)
		requireUsage(t, err, "--file "+filepath.Join(dir, "missing.yml")+": no such file; check the path")
	})
	t.Run("a directory", func(t *testing.T) {
		_, err := LoadFile(context.Background(), dir, nil)
		requireUsage(t, err, "--file "+dir+": is a folder; give the path of a YAML file")
	})
	t.Run("testdata sample", func(t *testing.T) {
		spec, err := LoadFile(context.Background(), "testdata/files/settings_invoke.yml", nil)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Endpoint != "heart-ep" || len(spec.Inputs) != 4 || *spec.Settings.LoggingLevel != "Debug" {
			t.Errorf("unexpected spec %+v", spec)
		}
		if got := spec.origin("inputs.rounds"); got != "testdata/files/settings_invoke.yml:15" {
			t.Errorf("origin(inputs.rounds) = %q", got)
		}
	})
}

func TestFileSpecEncodeRoundTrip(t *testing.T) {
	for _, name := range []string{"case07_invoke.yml", "case08_invoke.yml", "settings_invoke.yml"} {
		t.Run(name, func(t *testing.T) {
			spec, err := LoadFile(context.Background(), filepath.Join("testdata/files", name), nil)
			if err != nil {
				t.Fatal(err)
			}
			data, err := spec.Encode()
			if err != nil {
				t.Fatal(err)
			}
			again, err := DecodeFile(spec.Filename, data)
			if err != nil {
				t.Fatalf("decoding the encoded spec: %v\n%s", err, data)
			}
			spec.lines, again.lines = nil, nil
			if !reflect.DeepEqual(spec, again) {
				t.Errorf("round trip differs\nbefore %+v\n after %+v\nYAML:\n%s", spec, again, data)
			}
			if strings.Contains(string(data), "lines") {
				t.Errorf("encoded internal state:\n%s", data)
			}
		})
	}
}
