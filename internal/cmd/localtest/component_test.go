package localtest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree writes files (relative path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// helloTree is the hello-batch sample's component (an inline child with a
// code folder) next to a prepare component of its own.
var helloTree = map[string]string{
	"hello-component/hello.yml": `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json
name: hello_batch
display_name: Hello Batch component
version: 1
type: pipeline
jobs:
  main_job:
    type: command
    component:
      code: src
      environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
      command: >-
        python hello.py
`,
	"hello-component/src/hello.py": "print('hello')\n",
	"prepare/prepare.yml": `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: prepare
type: command
inputs:
  data:
    type: uri_folder
  rows:
    type: integer
    default: 5
outputs:
  prepared:
    type: uri_folder
code: src
environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest
command: python prepare.py --data ${{inputs.data}} --rows ${{inputs.rows}} --out ${{outputs.prepared}}
`,
	"prepare/src/prepare.py": "print('prepare')\n",
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// TestComponentCreateShowListArchive: the sample's `component create`
// registers the pipeline and its inline child on the local workspace, show
// and list answer with az's keys, versions advance, archive hides a
// component from list, and a bad file registers nothing.
func TestComponentCreateShowListArchive(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	writeTree(t, dir, helloTree)

	created := decode[map[string]any](t, e.run("component", "create", "-f", filepath.Join(dir, "hello-component", "hello.yml")).stdout)
	if created["name"] != "hello_batch" || created["version"] != "1" || created["type"] != "pipeline" {
		t.Fatalf("created = %v", created)
	}
	step := created["jobs"].(map[string]any)["main_job"].(map[string]any)
	ref, _ := step["component"].(string)
	if !strings.HasPrefix(ref, "azureml:azureml_anonymous:") {
		t.Fatalf("main_job runs %q, want the anonymous child", ref)
	}

	child := decode[map[string]any](t, e.run("component", "show", "-n", "azureml_anonymous", "-v", strings.TrimPrefix(ref, "azureml:azureml_anonymous:")).stdout)
	code, _ := child["code"].(string)
	if child["command"] != "python hello.py" || !strings.Contains(code, "/codes/") || child["environment"] != "azureml://registries/azureml/environments/sklearn-1.5/labels/latest" {
		t.Errorf("child = %v", child)
	}
	// The code version points at the uploaded folder.
	codeID := strings.TrimPrefix(code, "azureml:")
	cv, err := e.arm.NewCodeVersionsClient().Get(context.Background(), e.client.T.ResourceGroup, e.client.T.Workspace,
		codeID[strings.Index(codeID, "/codes/")+len("/codes/"):strings.Index(codeID, "/versions/")], codeID[strings.LastIndex(codeID, "/")+1:], nil)
	if err != nil || cv.Properties == nil || !strings.Contains(*cv.Properties.CodeURI, "/LocalUpload/") {
		t.Fatalf("code version: %+v %v", cv, err)
	}

	// Without a version the next one is used; an unchanged one is reused.
	prep := filepath.Join(dir, "prepare", "prepare.yml")
	if v := e.run("component", "create", "-f", prep, "--query", "version", "-o", "tsv").stdout; strings.TrimSpace(v) != "1" {
		t.Errorf("first prepare version = %q", v)
	}
	if v := e.run("component", "create", "-f", prep, "--query", "version", "-o", "tsv").stdout; strings.TrimSpace(v) != "1" {
		t.Errorf("unchanged prepare version = %q, want 1 reused", v)
	}
	if v := e.run("component", "create", "-f", prep, "--set", "inputs.rows.default=9", "--query", "version", "-o", "tsv").stdout; strings.TrimSpace(v) != "2" {
		t.Errorf("changed prepare version = %q, want 2", v)
	}
	latest := decode[map[string]any](t, e.run("component", "show", "-n", "prepare", "--label", "latest").stdout)
	if latest["version"] != "2" || latest["inputs"].(map[string]any)["rows"].(map[string]any)["default"] != "9" {
		t.Errorf("latest prepare = %v", latest)
	}

	names := func(args ...string) string {
		return strings.Join(strings.Fields(e.run(append([]string{"component", "list", "--query", "[].name", "-o", "tsv"}, args...)...).stdout), " ")
	}
	if got := names(); !strings.Contains(got, "hello_batch") || !strings.Contains(got, "prepare") {
		t.Errorf("list = %q", got)
	}
	if got := e.run("component", "list", "-n", "prepare", "--query", "[].version", "-o", "tsv").stdout; strings.Join(strings.Fields(got), " ") != "1 2" {
		t.Errorf("versions = %q", got)
	}
	e.run("component", "archive", "-n", "hello_batch")
	if got := names(); strings.Contains(got, "hello_batch") {
		t.Errorf("archived component still listed: %q", got)
	}
	if got := names("--archived-only"); got != "hello_batch" {
		t.Errorf("--archived-only = %q", got)
	}
	if got := names("--include-archived"); !strings.Contains(got, "hello_batch") || !strings.Contains(got, "prepare") {
		t.Errorf("--include-archived = %q", got)
	}

	// A bad file: usage error with the line, nothing registered.
	writeTree(t, dir, map[string]string{"bad/bad.yml": "name: bad_one\ntype: command\ncommand: echo\nenvironment: azureml:e:1\ncode: nowhere\n"})
	r := e.ml(nil, "component", "create", "-f", filepath.Join(dir, "bad", "bad.yml"))
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yml:5: code: no such file or directory") {
		t.Errorf("bad file: %s", r)
	}
	if r := e.ml(nil, "component", "show", "-n", "bad_one", "-l", "latest"); r.code != 3 {
		t.Errorf("bad_one was registered: %s", r)
	}
	if r := e.ml(nil, "component", "show", "-n", "prepare"); r.code != 2 || !strings.Contains(r.stderr, "Must provide either version or label") {
		t.Errorf("show without version or label: %s", r)
	}
}

// scoringTree is the batch-scoring sample's deployment: a pipeline
// component file whose steps are a component file (with its code) and a
// registered component.
var scoringTree = map[string]string{
	"endpoint.yml": "name: uci-classifier-batch\nauth_mode: aad_token\n",
	"deployment.yml": `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json
name: uci-classifier-prepros-xgb
endpoint_name: uci-classifier-batch
type: pipeline
component: pipeline.yml
settings:
    continue_on_step_failure: false
    default_compute: batch-cluster
`,
	"pipeline.yml": `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json
type: pipeline
name: batch_scoring_uci_heart
inputs:
  input_data:
    type: uri_folder
  score_mode:
    type: string
    default: append
outputs:
  scores:
    type: uri_folder
    mode: upload
jobs:
  preprocess_job:
    type: command
    component: azureml:prepare@latest
    inputs:
      data: ${{parent.inputs.input_data}}
  score_job:
    type: command
    component: components/score/score.yml
    inputs:
      data: ${{parent.jobs.preprocess_job.outputs.prepared}}
      score_mode: ${{parent.inputs.score_mode}}
    outputs:
      scores:
        mode: upload
        path: ${{parent.outputs.scores}}
`,
	"components/score/score.yml": `name: uci_heart_score
type: command
inputs:
  data:
    type: uri_folder
  score_mode:
    type: string
outputs:
  scores:
    type: uri_folder
environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest
code: src
command: python score.py --data ${{inputs.data}} --mode ${{inputs.score_mode}} --out ${{outputs.scores}}
`,
	"components/score/src/score.py": "print('score')\n",
}

// TestPipelineDeploymentFromComponentFile: `batch-deployment create` with
// component: pipeline.yml registers the pipeline (its file child
// anonymously, its code uploaded, its registered child pinned) and deploys
// it; a broken child file registers nothing and deploys nothing.
func TestPipelineDeploymentFromComponentFile(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	writeTree(t, dir, helloTree)
	writeTree(t, dir, scoringTree)
	e.run("component", "create", "-f", filepath.Join(dir, "prepare", "prepare.yml"))
	e.run("batch-endpoint", "create", "-f", filepath.Join(dir, "endpoint.yml"))

	broken := strings.Replace(scoringTree["components/score/score.yml"], "code: src", "code: source", 1)
	writeTree(t, dir, map[string]string{"components/score/score.yml": broken})
	r := e.ml(nil, "batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"))
	if r.code != 2 || !strings.Contains(r.stderr, "score.yml:12: code: no such file or directory") {
		t.Fatalf("broken child: %s", r)
	}
	if r := e.ml(nil, "component", "show", "-n", "batch_scoring_uci_heart", "-l", "latest"); r.code != 3 {
		t.Errorf("the pipeline was registered despite the broken child: %s", r)
	}
	if r := e.ml(nil, "batch-deployment", "show", "-e", "uci-classifier-batch", "-n", "uci-classifier-prepros-xgb"); r.code != 3 {
		t.Errorf("the deployment exists despite the broken child: %s", r)
	}

	writeTree(t, dir, map[string]string{"components/score/score.yml": scoringTree["components/score/score.yml"]})
	r = e.run("batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"), "--set-default")
	dep := decode[map[string]any](t, r.stdout)
	comp, _ := dep["component"].(string)
	if !strings.HasSuffix(comp, "/components/batch_scoring_uci_heart/versions/1") {
		t.Fatalf("deployment component = %q\n%s", comp, r)
	}
	if s, _ := dep["settings"].(map[string]any); s["continue_on_step_failure"] != "False" || s["default_compute"] != "batch-cluster" {
		t.Errorf("settings = %v", dep["settings"])
	}
	if !strings.Contains(r.stderr, "batch-cluster") {
		t.Errorf("no note about the recorded compute: %s", r.stderr)
	}
	spec := decode[map[string]any](t, e.run("component", "show", "-n", "batch_scoring_uci_heart", "-v", "1").stdout)
	jobs := spec["jobs"].(map[string]any)
	if jobs["preprocess_job"].(map[string]any)["component"] != "azureml:prepare:1" || !strings.HasPrefix(jobs["score_job"].(map[string]any)["component"].(string), "azureml:azureml_anonymous:") {
		t.Errorf("registered pipeline steps = %v", jobs)
	}
	// Invoking it is checked against the component before any upload.
	writeTree(t, dir, map[string]string{
		"data/unlabeled/heart.csv": "age\n63\n",
		"inputs.yml":               "inputs:\n  input_data:\n    type: uri_folder\n    path: data/unlabeled\n  score_mode:\n    type: string\n    default: append\noutputs:\n  scores:\n    type: uri_folder\n    mode: upload\n",
		"bad-inputs.yml":           "inputs:\n  input:\n    type: uri_folder\n    path: data/unlabeled\n",
	})
	// Invoke's --file paths start from the current directory, as in az.
	t.Chdir(dir)
	r = e.ml(nil, "batch-endpoint", "invoke", "-n", "uci-classifier-batch", "--file", filepath.Join(dir, "bad-inputs.yml"))
	if r.code != 2 || !strings.Contains(r.stderr, `input "input" is not an input of pipeline component batch_scoring_uci_heart:1`) ||
		!strings.Contains(r.stderr, "input_data (uri_folder, required), score_mode (string, default append)") || strings.Contains(r.stderr, "Upload") {
		t.Errorf("unknown input: %s", r)
	}
	r = e.ml(nil, "batch-endpoint", "invoke", "-n", "uci-classifier-batch", "--set", "inputs.score_mode=append")
	if r.code != 2 || !strings.Contains(r.stderr, `needs input "input_data"`) {
		t.Errorf("missing input: %s", r)
	}
	r = e.run("batch-endpoint", "invoke", "-n", "uci-classifier-batch", "--file", filepath.Join(dir, "inputs.yml"))
	if job := decode[map[string]any](t, r.stdout); job["name"] == nil || !strings.Contains(r.stderr, "Upload") {
		t.Errorf("invoke with inputs.yml: %s", r)
	}
	r = e.run("batch-endpoint", "invoke", "-n", "uci-classifier-batch", "--set", "inputs.input_data.type=uri_folder", "inputs.input_data.path="+filepath.Join(dir, "data", "unlabeled"), "inputs.score_mode=overwrite")
	if job := decode[map[string]any](t, r.stdout); job["name"] == nil {
		t.Errorf("invoke with --set: %s", r)
	}

	// Again: the same pipeline is reused, not registered as version 2.
	e.run("batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"))
	if v := e.run("component", "show", "-n", "batch_scoring_uci_heart", "-l", "latest", "--query", "version", "-o", "tsv").stdout; strings.TrimSpace(v) != "1" {
		t.Errorf("latest version after a second deploy = %q", v)
	}
}
