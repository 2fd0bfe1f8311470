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
