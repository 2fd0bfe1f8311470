package spec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// writeTree writes files (path → content) under a new temp dir and returns
// the dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goodDeployment is a valid model deployment the error cases mutate.
const goodDeployment = `name: blue
endpoint_name: heart
type: model
model:
  path: model
code_configuration:
  code: code
  scoring_script: score.py
environment:
  image: python:3.11
  conda_file: conda.yml
compute: azureml:cpu
settings:
  mini_batch_size: 5
`

var goodTree = map[string]string{
	"model/model.json": "{}",
	"code/score.py":    "def init(): pass\n",
	"conda.yml":        "dependencies: [python=3.11]\n",
}

// TestBadYAMLErrors: each bad file is refused with FILE:LINE (or the
// override), the key and the fix, as a usage error.
func TestBadYAMLErrors(t *testing.T) {
	type loader func(path string, o []Override) error
	deployment := func(p string, o []Override) error {
		_, err := LoadDeployment(context.Background(), p, nil, o)
		return err
	}
	endpoint := func(p string, o []Override) error {
		_, err := LoadEndpoint(context.Background(), p, nil, o)
		return err
	}
	data := func(p string, o []Override) error { _, err := LoadData(context.Background(), p, nil, o); return err }
	replace := func(old, new string) string {
		if !strings.Contains(goodDeployment, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(goodDeployment, old, new, 1)
	}
	set := func(tokens ...string) []Override {
		o, err := ParseSet(tokens)
		if err != nil {
			panic(err)
		}
		return o
	}
	tests := []struct {
		name      string
		load      loader
		yaml      string
		extra     map[string]string
		overrides []Override
		want      []string // substrings, in order; "FILE" is the YAML path
	}{
		{"unknown key in settings", deployment, replace("mini_batch_size: 5", "mini_batch: 5"), nil, nil,
			[]string{"FILE:14: ", `unknown key "mini_batch" in settings`, "valid keys: ", "mini_batch_size"}},
		{"unknown top-level endpoint key", endpoint, "name: heart\nauth: key\n", nil, nil,
			[]string{"FILE:2: ", `unknown key "auth" in the batch endpoint`, "auth_mode"}},
		{"wrong type for an integer", deployment, replace("mini_batch_size: 5", "mini_batch_size: ten"), nil, nil,
			[]string{"FILE:14: ", "settings.mini_batch_size must be a whole number", `"ten"`}},
		{"number where text is expected", endpoint, "name: 123\n", nil, nil,
			[]string{"FILE:1: ", "name must be text", `quote it: name: "123"`}},
		{"missing name", endpoint, "description: x\n", nil, nil,
			[]string{"FILE:1: ", `missing required key "name"`, "pass --name"}},
		{"missing endpoint_name", deployment, replace("endpoint_name: heart\n", ""), nil, nil,
			[]string{"FILE:1: ", `missing required key "endpoint_name"`, "--endpoint-name"}},
		{"missing compute", deployment, replace("compute: azureml:cpu\n", ""), nil, nil,
			[]string{`missing required key "compute"`, "azureml:<cluster name>"}},
		{"code folder does not exist", deployment, replace("code: code", "code: ./nope"), nil, nil,
			[]string{"FILE:7: ", "code_configuration.code: no such file or directory", "nope", "relative paths start from the YAML file's folder"}},
		{"scoring script not in code", deployment, replace("score.py", "main.py"), nil, nil,
			[]string{"FILE:8: ", "scoring_script", "main.py", "relative to code_configuration.code"}},
		{"model path does not exist", deployment, replace("path: model", "path: models"), nil, nil,
			[]string{"FILE:5: ", "model.path: no such file or directory"}},
		{"conda file does not exist", deployment, replace("conda_file: conda.yml", "conda_file: env/conda.yml"), nil, nil,
			[]string{"FILE:11: ", "environment.conda_file: no such file or directory"}},
		{"enum value", deployment, replace("mini_batch_size: 5", "output_action: append"), nil, nil,
			[]string{"FILE:14: ", `settings.output_action: "append" is not allowed`, "append_row, summary_only"}},
		{"unknown deployment type", deployment, replace("type: model", "type: modle"), nil, nil,
			[]string{"FILE:3: ", `"modle" is not a batch deployment type`, "type: model"}},
		{"settings without type", deployment, replace("type: model\n", ""), nil, nil,
			[]string{`unknown key "settings"`, "add type: model"}},
		{"duplicate key", endpoint, "name: a1b\nname: a2b\n", nil, nil,
			[]string{"FILE:2: ", `duplicate key "name"`, "first at FILE:1"}},
		{"invalid YAML", endpoint, "name: heart\n  bad: [\n", nil, nil,
			[]string{"FILE:2: invalid YAML"}},
		{"second document", endpoint, "name: heart\n---\nname: other\n", nil, nil,
			[]string{"FILE:2: a second YAML document"}},
		{"override of the wrong type", deployment, goodDeployment, nil, set("settings.mini_batch_size=abc"),
			[]string{"--set settings.mini_batch_size: settings.mini_batch_size must be a whole number"}},
		{"override through a string", deployment, replace("model:\n  path: model", "model: azureml:m:1"), nil, set("model.path=./m"),
			[]string{"--set model.path: model is the text", "FILE:4", "not a mapping"}},
		{"override with an unknown key", deployment, goodDeployment, nil, set("settings.bogus=1"),
			[]string{"--set settings.bogus: ", `unknown key "bogus" in settings`}},
		{"conda keys in the environment", deployment, replace("conda_file: conda.yml", "dependencies: [pip]"), nil, nil,
			[]string{"FILE:11: ", "environment.dependencies belongs in a conda file", "conda_file"}},
		{"environment without image", deployment, replace("  image: python:3.11\n", ""), nil, nil,
			[]string{"FILE:10: ", "needs a Docker image or a build context"}},
		{"model reference without version", deployment, replace("model:\n  path: model", "model: azureml:heart"), nil, nil,
			[]string{"FILE:4: ", "has no version", "azureml:heart@latest"}},
		{"model reference without prefix", deployment, replace("model:\n  path: model", "model: heart:1"), nil, nil,
			[]string{"FILE:4: ", "is not a model reference", "azureml:<name>:<version>"}},
		{"model version without name", deployment, replace("  path: model", "  path: model\n  version: 2"), nil, nil,
			[]string{"FILE:6: ", "model.version is set but model.name is not"}},
		{"endpoint name too short", endpoint, "name: ab\n", nil, nil,
			[]string{"FILE:1: ", "3 to 32 characters"}},
		{"endpoint name with a bad character", endpoint, "name: heart_ep\n", nil, nil,
			[]string{"FILE:1: ", "must start with a letter"}},
		{"identity type", endpoint, "name: heart\nidentity:\n  type: managed\n", nil, nil,
			[]string{"FILE:3: ", `identity.type: "managed" is not allowed`, "system_assigned"}},
		{"negative retry timeout", deployment, replace("mini_batch_size: 5", "retry_settings: {timeout: -1}"), nil, nil,
			[]string{"FILE:14: ", "settings.retry_settings.timeout must be between 0 and"}},
		{"pipeline without component", deployment, "name: p1x\nendpoint_name: heart\ntype: pipeline\n", nil, nil,
			[]string{"FILE:1: ", `missing required key "component"`}},
		{"pipeline job_definition", deployment, "name: p1x\nendpoint_name: heart\ntype: pipeline\njob_definition: x.yml\n", nil, nil,
			[]string{"FILE:4: ", "job_definition must name a pipeline job: azureml:<job name>"}},
		{"data file given as a folder", data, "name: d\ntype: uri_file\npath: model\n", nil, nil,
			[]string{"FILE:3: ", "path: ", "is a folder; give a file", "type: uri_folder"}},
		{"data type", data, "name: d\ntype: csv\npath: model\n", nil, nil,
			[]string{"FILE:2: ", "value must be uri_file, uri_folder, or mltable"}},
		{"mltable without MLTable file", data, "name: d\ntype: mltable\npath: model\n", nil, nil,
			[]string{"FILE:3: ", "has no MLTable file"}},
		{"data path from a flag", data, "name: d\n", nil, []Override{Flag("--path", "path", "missing-dir")},
			[]string{"--path: path: no such file or directory", "missing-dir"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"deployment.yml": tc.yaml}
			for k, v := range goodTree {
				files[k] = v
			}
			for k, v := range tc.extra {
				files[k] = v
			}
			dir := writeTree(t, files)
			path := filepath.Join(dir, "deployment.yml")
			err := tc.load(path, tc.overrides)
			if err == nil {
				t.Fatalf("no error for\n%s", tc.yaml)
			}
			if !clierr.IsUsage(err) {
				t.Errorf("error %T is not a usage error (exit 2): %v", err, err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "FILE", path)
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q\nlacks %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestGoodDeploymentDecodes anchors the error table: its base file is
// valid, so each case fails for its own reason.
func TestGoodDeploymentDecodes(t *testing.T) {
	files := map[string]string{"deployment.yml": goodDeployment}
	for k, v := range goodTree {
		files[k] = v
	}
	dir := writeTree(t, files)
	d, err := LoadDeployment(context.Background(), filepath.Join(dir, "deployment.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Model.Inline == nil || d.Model.Inline.Path != filepath.Join(dir, "model") {
		t.Errorf("model = %+v, want the inline model at %s", d.Model, filepath.Join(dir, "model"))
	}
	if d.Code.Path != filepath.Join(dir, "code") || d.ScoringScript != "score.py" {
		t.Errorf("code = %+v / %q", d.Code, d.ScoringScript)
	}
	if got := d.Environment.Inline.CondaYAML; got != "dependencies:\n- python=3.11\n" {
		t.Errorf("conda text = %q", got)
	}
}

// TestSetErrorsHideQueryStrings: a malformed --set token may be a SAS URL
// pasted without its key; the message keeps only what precedes the query.
func TestSetErrorsHideQueryStrings(t *testing.T) {
	_, err := ParseSet([]string{"https://acct.blob.core.windows.net/c/x?sv=2024&sig=SECRETSIG"})
	if err == nil {
		t.Fatal("want an error for a token without =")
	}
	if strings.Contains(err.Error(), "SECRETSIG") || strings.Contains(err.Error(), "sig=") {
		t.Errorf("error leaks the token's query: %v", err)
	}
	if !strings.Contains(err.Error(), "is not KEY=VALUE") || !strings.Contains(err.Error(), "https://acct.blob.core.windows.net/c/x?...") {
		t.Errorf("error does not say what is wrong: %v", err)
	}
}
