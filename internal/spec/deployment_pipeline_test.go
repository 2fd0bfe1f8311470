package spec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pipelineDeploymentTree is the batch-scoring sample's layout: a
// deployment naming a pipeline component file whose steps name component
// files of their own.
var pipelineDeploymentTree = map[string]string{
	"deployment.yml": `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponentBatchDeployment.schema.json
name: uci-classifier-prepros-xgb
endpoint_name: uci-classifier-batch
description: scores with preprocessing
type: pipeline
component: pipeline.yml
settings:
    continue_on_step_failure: false
    default_compute: batch-cluster
tags:
  team: ml
`,
	"pipeline.yml": `name: batch_scoring
type: pipeline
description: the pipeline
tags:
  stage: prod
inputs:
  input_data:
    type: uri_folder
jobs:
  step:
    type: command
    component: components/step.yml
    inputs:
      data: ${{parent.inputs.input_data}}
`,
	"components/step.yml": "type: command\ninputs:\n  data:\n    type: uri_folder\ncode: src\nenvironment: azureml:env:1\ncommand: python s.py ${{inputs.data}}\n",
	"components/src/s.py": "print(1)\n",
}

// TestPipelineDeploymentComponentForms: component: as a file (read whole,
// children included, names optional), inline, or a reference; the body
// has the shapes of azure-ai-ml's TestPipelineComponentBatchDeployment:
// settings as given (booleans as Python writes them), the deployment's
// description and tags outside the configuration, the component's tags and
// description inside it when the component is an object.
func TestPipelineDeploymentComponentForms(t *testing.T) {
	dir := writeTree(t, pipelineDeploymentTree)
	d, err := LoadDeployment(context.Background(), filepath.Join(dir, "deployment.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := d.PipelineComponent
	if d.Component != nil || c == nil || c.Name != "batch_scoring" || c.Job("step").Component.Inline == nil || c.Job("step").Component.Inline.Name != "" {
		t.Fatalf("component = %+v / %+v", d.Component, c)
	}
	id := testWS + "/components/batch_scoring/versions/1"
	body := asJSON(t, d.ARM("eastus", Resolved{ComponentID: id}))
	assertSameJSON(t, body, map[string]any{
		"location": "eastus", "tags": map[string]any{"team": "ml"},
		"properties": map[string]any{
			"description": "scores with preprocessing",
			"deploymentConfiguration": map[string]any{
				"deploymentConfigurationType": "PipelineComponent",
				"componentId":                 map[string]any{"referenceType": "Id", "assetId": id},
				"settings":                    map[string]any{"continue_on_step_failure": "False", "default_compute": "batch-cluster"},
				"tags":                        map[string]any{"stage": "prod"},
				"description":                 "the pipeline",
			},
		},
	})

	// Inline: the same pipeline written under component:, without a name.
	inline := strings.Replace(pipelineDeploymentTree["deployment.yml"], "component: pipeline.yml", "component:\n  type: pipeline\n  jobs:\n    step:\n      type: command\n      component: components/step.yml\n      inputs:\n        data: {type: uri_folder, path: components}", 1)
	writeTree2(t, dir, "inline.yml", inline)
	d, err = LoadDeployment(context.Background(), filepath.Join(dir, "inline.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.PipelineComponent == nil || d.PipelineComponent.Name != "" || !d.PipelineComponent.Job("step").Input("data").Local {
		t.Errorf("inline component = %+v", d.PipelineComponent)
	}

	// A reference: no component tags or description in the configuration.
	o, _ := ParseSet([]string{"component=azureml:batch_scoring@latest"})
	d, err = LoadDeployment(context.Background(), filepath.Join(dir, "deployment.yml"), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	cfg := asJSON(t, d.ARM("eastus", Resolved{ComponentID: id}))["properties"].(map[string]any)["deploymentConfiguration"].(map[string]any)
	if d.Component == nil || d.Component.Label != "latest" || cfg["tags"] != nil || cfg["description"] != nil {
		t.Errorf("reference: %+v, configuration %v", d.Component, cfg)
	}

	// job_definition, as the hello-batch sample sets it.
	o, _ = ParseSet([]string{"job_definition=azureml:quirky_pear_1"})
	jd := strings.Replace(pipelineDeploymentTree["deployment.yml"], "component: pipeline.yml\n", "", 1)
	writeTree2(t, dir, "from-job.yml", jd)
	d, err = LoadDeployment(context.Background(), filepath.Join(dir, "from-job.yml"), nil, o)
	if err != nil || d.JobDefinition != "azureml:quirky_pear_1" || d.JobDefinitionAt != "--set job_definition" {
		t.Errorf("job_definition: %+v, %v", d, err)
	}
}

// TestPipelineDeploymentErrors: bad component files and settings are
// refused with their location.
func TestPipelineDeploymentErrors(t *testing.T) {
	for _, tt := range []struct {
		name, old, new, want string
	}{
		{"unknown setting", "    default_compute: batch-cluster", "    default_compute: batch-cluster\n    mini_batch_size: 3", `deployment.yml:10: unknown key "mini_batch_size" in settings`},
		{"setting not a boolean", "continue_on_step_failure: false", "continue_on_step_failure: maybe", "deployment.yml:8: settings.continue_on_step_failure must be true or false"},
		{"missing file", "component: pipeline.yml", "component: pipe.yml", "deployment.yml:6: component: no such file or directory"},
		{"component and job_definition", "component: pipeline.yml", "component: pipeline.yml\njob_definition: azureml:j", "give component: or job_definition:, not both"},
		{"job_definition a file", "component: pipeline.yml", "job_definition: job.yml", "job_definition must name a pipeline job"},
		{"a command component", "component: pipeline.yml", "component: components/step.yml", "step.yml:1: the component is a command component but the step is type: pipeline"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range pipelineDeploymentTree {
				files[k] = v
			}
			if !strings.Contains(files["deployment.yml"], tt.old) {
				t.Fatal("test setup: " + tt.old)
			}
			files["deployment.yml"] = strings.Replace(files["deployment.yml"], tt.old, tt.new, 1)
			dir := writeTree(t, files)
			_, err := LoadDeployment(context.Background(), filepath.Join(dir, "deployment.yml"), nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// A bad child file is reported in the child file.
	files := map[string]string{}
	for k, v := range pipelineDeploymentTree {
		files[k] = v
	}
	files["components/step.yml"] = strings.Replace(files["components/step.yml"], "code: src", "code: nowhere", 1)
	dir := writeTree(t, files)
	if _, err := LoadDeployment(context.Background(), filepath.Join(dir, "deployment.yml"), nil, nil); err == nil || !strings.Contains(err.Error(), "step.yml:5: code: no such file") {
		t.Errorf("bad child: %v", err)
	}
}

// writeTree2 writes one more file into dir.
func writeTree2(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
