package spec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnonymousEnvironmentVersion: an inline environment without a name
// gets az's content-hash version (expected values computed with
// azure-ai-ml's algorithm in Python: md5 of the image, str.join with the
// md5 of the conda text, md5 again).
func TestAnonymousEnvironmentVersion(t *testing.T) {
	conda, err := os.ReadFile(filepath.Join("testdata", "pyyaml", "heart_conda.pyyaml"))
	if err != nil {
		t.Fatal(err)
	}
	img := "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest"
	e := &Environment{Image: img, CondaYAML: string(conda)}
	if got := e.AnonymousVersion(""); got != "d78c777fdc64161ba348396c2c149286" {
		t.Errorf("image + conda version = %s", got)
	}
	e.CondaYAML = ""
	if got := e.AnonymousVersion(""); got != "baf18218754be5571da6e579a0c774b5" {
		t.Errorf("image-only version = %s", got)
	}
	if got := AnonymousModelName("0123456789abcdef0123456789abcdef"); got != "8516ac99dc60603295de7bdb6a153530" {
		t.Errorf("anonymous model name = %s", got)
	}
	if pyJoin("-", "abc") != "a-b-c" {
		t.Errorf("pyJoin = %q", pyJoin("-", "abc"))
	}
}

// TestAssetBodies: the version bodies az sends for code, model,
// environment and data.
func TestAssetBodies(t *testing.T) {
	code := asJSON(t, CodeVersionBody("https://acct.blob.core.windows.net/c/LocalUpload/h/code", true))
	assertSameJSON(t, code, map[string]any{"properties": map[string]any{
		"codeUri": "https://acct.blob.core.windows.net/c/LocalUpload/h/code", "isAnonymous": true}})

	m := &Model{Name: "heart", Type: "custom_model", Tags: map[string]string{"a": "1"}, Flavors: map[string]map[string]string{"python_function": {"loader_module": "x"}}}
	assertSameJSON(t, asJSON(t, m.ARM("azureml://datastores/ws/paths/p")), map[string]any{"properties": map[string]any{
		"modelType": "custom_model", "modelUri": "azureml://datastores/ws/paths/p", "isAnonymous": false,
		"tags": map[string]any{"a": "1"}, "flavors": map[string]any{"python_function": map[string]any{"data": map[string]any{"loader_module": "x"}}}}})

	env := &Environment{Image: "python:3.11", CondaYAML: "name: x\n", OSType: "Linux"}
	assertSameJSON(t, asJSON(t, env.ARM("")), map[string]any{"properties": map[string]any{
		"image": "python:3.11", "condaFile": "name: x\n", "osType": "Linux", "isAnonymous": true}})
	build := &Environment{Name: "b", BuildPath: "/tmp/ctx", DockerfilePath: "docker/Dockerfile"}
	assertSameJSON(t, asJSON(t, build.ARM("https://acct/c/LocalUpload/h/ctx/")), map[string]any{"properties": map[string]any{
		"build": map[string]any{"contextUri": "https://acct/c/LocalUpload/h/ctx/", "dockerfilePath": "docker/Dockerfile"}}})

	for typ, dt := range map[string]string{DataURIFolder: "uri_folder", DataURIFile: "uri_file", DataMLTable: "mltable"} {
		a := &DataAsset{Name: "d", Type: typ, Description: "rows"}
		assertSameJSON(t, asJSON(t, a.ARM("azureml://datastores/workspaceblobstore/paths/x/")), map[string]any{"properties": map[string]any{
			"dataType": dt, "dataUri": "azureml://datastores/workspaceblobstore/paths/x/", "description": "rows",
			"isAnonymous": false, "isArchived": false}})
	}
}

// TestPipelineDeployment: a pipeline component deployment decodes, is
// marked, and converts to a PipelineComponent deployment configuration.
func TestPipelineDeployment(t *testing.T) {
	dir := writeTree(t, map[string]string{"p.yml": `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json
name: hello-batch-dpl
endpoint_name: hello-pipeline-batch
type: pipeline
component: azureml:hello_batch@latest
settings:
    default_compute: batch-cluster
    continue_on_step_failure: false
tags: {team: x}
`})
	d, err := LoadDeployment(context.Background(), filepath.Join(dir, "p.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Type != DeploymentPipeline || d.Component.Name != "hello_batch" || d.Component.Label != "latest" {
		t.Fatalf("deployment = %+v, component %+v", d, d.Component)
	}
	body := asJSON(t, d.ARM("westus", Resolved{ComponentID: testWS + "/components/hello_batch/versions/2"}))
	assertSameJSON(t, body, map[string]any{
		"location": "westus", "tags": map[string]any{"team": "x"},
		"properties": map[string]any{
			"deploymentConfiguration": map[string]any{
				"deploymentConfigurationType": "PipelineComponent",
				"componentId":                 map[string]any{"referenceType": "Id", "assetId": testWS + "/components/hello_batch/versions/2"},
				"settings":                    map[string]any{"default_compute": "batch-cluster", "continue_on_step_failure": "False"},
			},
		},
	})
}

// TestDataFromFlags: `ml data create --name --path --type` without a file;
// relative paths start from the current directory then.
func TestDataFromFlags(t *testing.T) {
	dir := writeTree(t, map[string]string{"rows/a.csv": "x\n"})
	t.Chdir(dir)
	a, err := LoadData(context.Background(), "", nil, []Override{Flag("--name", "name", "rows"), Flag("--path", "path", "rows"), Flag("--version", "version", "2")})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Local || a.Path != filepath.Join(dir, "rows") || a.Type != DataURIFolder || a.Version != "2" {
		t.Errorf("data = %+v", a)
	}
	a, err = LoadData(context.Background(), "", nil, []Override{Flag("--name", "name", "rows"), Flag("--path", "path", "azureml://datastores/workspaceblobstore/paths/rows/"), Flag("--type", "type", "uri_folder")})
	if err != nil || a.Local || !strings.HasPrefix(a.Path, "azureml://") {
		t.Errorf("remote data = %+v, %v", a, err)
	}
}
