package spec

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TestLoadPipelineJob: steps written in place become anonymous command
// components whose ports come from what the steps bind; job inputs and
// settings are read.
func TestLoadPipelineJob(t *testing.T) {
	j, err := LoadJob(context.Background(), componentPath("jobs", "pipeline-job.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != JobPipeline || j.Settings.DefaultCompute != "azureml:cpu-cluster" || j.Settings.ContinueOnStepFailure == nil || !*j.Settings.ContinueOnStepFailure {
		t.Fatalf("job = %+v", j)
	}
	if in := j.Input("epochs"); in.Literal == nil || in.Literal.Kind != LiteralInteger {
		t.Errorf("epochs = %+v", in)
	}
	if in := j.Input("data"); !in.Local || !filepath.IsAbs(in.Path) {
		t.Errorf("data = %+v", in)
	}
	a := j.Job("a").Component.Inline
	if a == nil || a.Input("epochs").Type != TypeInteger || a.Input("hello_string").Type != TypeString {
		t.Fatalf("inferred a = %+v", a)
	}
	b := j.Job("b").Component.Inline
	if b.Output("world_output") == nil || b.Input("data").Type != TypeURIFolder || b.Code == nil {
		t.Errorf("inferred b = %+v", b)
	}
	if got := j.Job("c").Needs(); len(got) != 1 || got[0] != "b" {
		t.Errorf("c needs %v", got)
	}
	if j.Output("final") == nil || j.Output("final").Mode != "upload" {
		t.Errorf("outputs = %+v", j.Outputs)
	}
}

// TestLoadComponentJob: a pipeline job running a pipeline component file
// takes its steps, and its inputs are checked against the component's.
func TestLoadComponentJob(t *testing.T) {
	_, err := LoadJob(context.Background(), componentPath("jobs", "component-job.yml"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "inputs.input_data") || !strings.Contains(err.Error(), "add path:") {
		t.Fatalf("a data input without a path: err = %v", err)
	}
	o, _ := ParseSet([]string{"inputs.input_data.path=../scoring/components"})
	j, err := LoadJob(context.Background(), componentPath("jobs", "component-job.yml"), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if j.Component == nil || j.Component.Inline == nil || len(j.Jobs) != 2 || j.Compute != "batch-cluster" {
		t.Fatalf("job = %+v", j)
	}
	o, _ = ParseSet([]string{"inputs.input_data.path=../scoring/components", "inputs.score_mod=x"})
	if _, err := LoadJob(context.Background(), componentPath("jobs", "component-job.yml"), nil, o); err == nil || !strings.Contains(err.Error(), `no input "score_mod"`) {
		t.Errorf("unknown input: err = %v", err)
	}
}

// TestJobErrors: bad job files are refused with the location and the fix.
func TestJobErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"jobs without type", "jobs:\n  a:\n    command: echo\n    environment: azureml:e:1\n", "a pipeline job needs type: pipeline"},
		{"sweep", "type: sweep\n", "type: sweep jobs are not supported"},
		{"command missing", "environment: azureml:e:1\n", `missing required key "command"`},
		{"environment missing", "command: echo\n", `missing required key "environment"`},
		{"undeclared placeholder", "command: echo ${{inputs.x}}\nenvironment: azureml:e:1\n", "uses ${{inputs.x}}"},
		{"binding in a job input", "command: echo\nenvironment: azureml:e:1\ninputs:\n  x: ${{parent.inputs.y}}\n", "only pipeline steps can use"},
		{"both jobs and component", "type: pipeline\ncomponent: azureml:c:1\njobs:\n  a:\n    command: echo\n    environment: azureml:e:1\n", "jobs: or component:, not both"},
		{"no steps", "type: pipeline\n", "has no steps"},
		{"bad name", "name: a b\ncommand: echo\nenvironment: azureml:e:1\n", `job name "a b"`},
		{"literal value of wrong type", "command: echo\nenvironment: azureml:e:1\ninputs:\n  x: {type: integer, value: abc}\n", `"abc" is not an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"job.yml": tt.yaml})
			_, err := LoadJob(context.Background(), filepath.Join(dir, "job.yml"), nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "job.yml") {
				t.Fatalf("err = %v, want one naming job.yml and %q", err, tt.want)
			}
		})
	}
}

// TestPipelineJobMatchesSpecExample: the PipelineJob body of the YAML
// equivalent of the 2025-12-01 example, field by field. Normalized: the
// compute is the workspace compute's ARM id (the example's "string"), az
// adds settings._source and the steps (jobs), and services have no YAML
// key ml sends.
func TestPipelineJobMatchesSpecExample(t *testing.T) {
	j, err := LoadJob(context.Background(), yamlPath("spec_pipeline_job.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistered(testWS)
	r.Components[j.Job("step").Component] = testWS + "/components/azureml_anonymous/versions/x"
	body := asJSON(t, j.ARM(r, "folder"))
	props := body["properties"].(map[string]any)
	if props["computeId"] != testWS+"/computes/string" {
		t.Errorf("computeId = %v", props["computeId"])
	}
	props["computeId"] = "string"
	if s := props["settings"].(map[string]any); s["_source"] != "YAML.JOB" || len(s) != 1 {
		t.Errorf("settings = %v", s)
	}
	props["settings"] = map[string]any{}
	jobs := props["jobs"].(map[string]any)
	step := jobs["step"].(map[string]any)
	if step["componentId"] != testWS+"/components/azureml_anonymous/versions/x" || step["inputs"].(map[string]any)["x"].(map[string]any)["value"] != "${{parent.inputs.string}}" {
		t.Errorf("step = %v", step)
	}
	delete(props, "jobs")
	out := props["outputs"].(map[string]any)["string"].(map[string]any)
	if out["uri"] != "azureml://datastores/workspaceblobstore/paths/string" {
		t.Errorf("output uri = %v", out["uri"])
	}
	out["uri"] = "string"
	assertSameJSON(t, body, without2(fixtureBody(t, "PipelineJob_createOrUpdate.json"), "services"))
}

// TestCommandJobMatchesSpecExample: the CommandJob body of the YAML
// equivalent of the 2025-12-01 example, field by field, with the ids
// resolved to "string".
func TestCommandJobMatchesSpecExample(t *testing.T) {
	j, err := LoadJob(context.Background(), yamlPath("spec_command_job.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistered(testWS)
	r.Codes[j.Code] = "string"
	r.Environments[j.Environment] = "string"
	body := asJSON(t, j.ARM(r, "folder"))
	props := body["properties"].(map[string]any)
	if props["computeId"] != testWS+"/computes/string" {
		t.Errorf("computeId = %v", props["computeId"])
	}
	props["computeId"] = "string"
	props["outputs"].(map[string]any)["string"].(map[string]any)["uri"] = "string"
	assertSameJSON(t, body, without2(fixtureBody(t, "CommandJob_createOrUpdate.json"), "identity", "services", "parentJobName"))
}

// without2 drops keys of body.properties.
func without2(body map[string]any, keys ...string) map[string]any {
	props := body["properties"].(map[string]any)
	for _, k := range keys {
		delete(props, k)
	}
	return body
}

// TestJobFromARM: the body ml sends, read back as the server reads a PUT,
// gives the same job: steps, bindings, inputs, outputs, settings.
func TestJobFromARM(t *testing.T) {
	j, err := LoadJob(context.Background(), componentPath("jobs", "pipeline-job.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistered(testWS)
	for _, n := range j.Jobs {
		r.Components[n.Component] = testWS + "/components/azureml_anonymous/versions/" + n.Name
	}
	r.Data[j.Input("data")] = "azureml://datastores/workspaceblobstore/paths/LocalUpload/abc/src/"
	data, err := json.Marshal(j.ARM(r, "jobs"))
	if err != nil {
		t.Fatal(err)
	}
	var wire armmachinelearning.JobBase
	if err := json.Unmarshal(data, &wire); err != nil {
		t.Fatal(err)
	}
	back, err := JobFromARM("happy_lamp_1", wire.Properties)
	if err != nil {
		t.Fatal(err)
	}
	if back.Type != JobPipeline || back.Settings.DefaultCompute != testWS+"/computes/cpu-cluster" || !*back.Settings.ContinueOnStepFailure {
		t.Fatalf("job = %+v", back)
	}
	if in := back.Input("data"); in.Type != TypeURIFolder || in.Path != "azureml://datastores/workspaceblobstore/paths/LocalUpload/abc/src/" {
		t.Errorf("data = %+v", in)
	}
	if in := back.Input("epochs"); in.Literal == nil || in.Literal.Text != "3" {
		t.Errorf("epochs = %+v", in)
	}
	if len(back.Jobs) != 3 {
		t.Fatalf("jobs = %+v", back.Jobs)
	}
	c := back.Job("c")
	if c.Component.Ref == nil || c.Component.Ref.ID != testWS+"/components/azureml_anonymous/versions/c" {
		t.Errorf("c component = %+v", c.Component)
	}
	if got := c.Needs(); len(got) != 1 || got[0] != "b" {
		t.Errorf("c needs %v", got)
	}
	if o := c.Output("out"); o.Binding == nil || o.Binding.Name != "final" {
		t.Errorf("c out = %+v", o)
	}
	if back.ExperimentName != "abc" || back.DisplayName != "hello_pipeline_abc" {
		t.Errorf("names = %q %q", back.ExperimentName, back.DisplayName)
	}

	cj, err := LoadJob(context.Background(), componentPath("jobs", "command-job.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r = NewRegistered(testWS)
	r.Codes[cj.Code] = testWS + "/codes/c/versions/1"
	r.Environments[cj.Environment] = testWS + "/environments/AzureML-sklearn-1.0-ubuntu20.04-py38-cpu/versions/9"
	data, _ = json.Marshal(cj.ARM(r, "jobs"))
	if err := json.Unmarshal(data, &wire); err != nil {
		t.Fatal(err)
	}
	cback, err := JobFromARM("iris_1", wire.Properties)
	if err != nil {
		t.Fatal(err)
	}
	if cback.Type != JobCommand || cback.Code.Ref.ID != testWS+"/codes/c/versions/1" || cback.Environment.Ref.ID != testWS+"/environments/AzureML-sklearn-1.0-ubuntu20.04-py38-cpu/versions/9" ||
		*cback.Timeout != 3600 || cback.Input("flag").Literal.Text != "True" || cback.Input("iris").Mode != "download" {
		t.Errorf("command job = %+v", cback)
	}
}
