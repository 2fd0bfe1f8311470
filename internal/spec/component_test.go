package spec

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func componentPath(parts ...string) string {
	return filepath.Join(append([]string{"testdata", "components"}, parts...)...)
}

func mustLoadComponent(t *testing.T, path string, o ...Override) *Component {
	t.Helper()
	c, err := LoadComponent(context.Background(), path, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoadCommandComponent: every key of a command component is decoded,
// ports in order with their types, defaults and bounds, the code folder
// made absolute.
func TestLoadCommandComponent(t *testing.T) {
	c := mustLoadComponent(t, componentPath("scoring", "components", "prepare", "prepare.yml"))
	if c.Type != ComponentCommand || c.Name != "uci_heart_prepare" || c.Version != "" || c.DisplayName != "UCI Heart dataset prepare" {
		t.Fatalf("component = %+v", c)
	}
	var names []string
	for _, p := range c.Inputs {
		names = append(names, p.Name+":"+p.Type)
	}
	if got := strings.Join(names, " "); got != "data:uri_folder transformations:custom_model categorical_encoding:string max_rows:integer verbose:boolean" {
		t.Errorf("inputs = %s", got)
	}
	enc := c.Input("categorical_encoding")
	if !enc.Optional || enc.Default == nil || enc.Default.Text != "ordinal" || !reflect.DeepEqual(enc.Enum, []string{"ordinal", "onehot"}) || enc.Required() {
		t.Errorf("categorical_encoding = %+v", enc)
	}
	rows := c.Input("max_rows")
	if rows.Min == nil || rows.Min.Text != "1" || rows.Max.Text != "1000000" || rows.Default.Value() != int64(1000) {
		t.Errorf("max_rows = %+v", rows)
	}
	if v := c.Input("verbose").Default.Value(); v != false {
		t.Errorf("verbose default = %v", v)
	}
	if !c.Input("data").Required() || c.Input("transformations").Required() {
		t.Error("data must be required and transformations optional")
	}
	if c.Output("transformations_output").Type != TypeCustomModel {
		t.Errorf("outputs = %+v", c.Outputs)
	}
	if c.Code == nil || !filepath.IsAbs(c.Code.Path) || filepath.Base(c.Code.Path) != "src" {
		t.Errorf("code = %+v", c.Code)
	}
	if e := c.Environment; e == nil || e.Ref == nil || e.Ref.Name != "xgboost-sklearn-py38" || e.Ref.Label != "latest" {
		t.Errorf("environment = %+v", c.Environment)
	}
	if c.EnvironmentVariables["MODE"] != "prepare" || *c.Resources.InstanceCount != 1 {
		t.Errorf("env %v resources %+v", c.EnvironmentVariables, c.Resources)
	}
	if !strings.Contains(c.Command, "$[[--transformations_path ${{inputs.transformations}}]]") {
		t.Errorf("command = %q", c.Command)
	}
}

// TestLoadPipelineComponent: steps with a file component, a registered
// reference and every binding form; the file component is read whole and
// the dependencies follow the bindings.
func TestLoadPipelineComponent(t *testing.T) {
	c := mustLoadComponent(t, componentPath("scoring", "pipeline.yml"))
	if c.Type != ComponentPipeline || len(c.Jobs) != 2 || c.Jobs[0].Name != "preprocess_job" || c.Jobs[1].Name != "score_job" {
		t.Fatalf("jobs = %+v", c.Jobs)
	}
	pre, score := c.Job("preprocess_job"), c.Job("score_job")
	if def := pre.Component.Inline; def == nil || def.Name != "uci_heart_prepare" || def.File == "" || def.Code == nil {
		t.Fatalf("preprocess component = %+v", pre.Component)
	}
	if b := pre.Input("data").Binding; b == nil || b.Kind != BindParentInput || b.Name != "input_data" {
		t.Errorf("data binding = %+v", b)
	}
	tr := pre.Input("transformations")
	if tr.Asset == nil || tr.Asset.Kind != KindModel || tr.Asset.Label != "latest" || tr.Type != TypeCustomModel {
		t.Errorf("transformations = %+v", tr)
	}
	if b := pre.Output("prepared_data").Binding; b == nil || b.Kind != BindParentOutput || b.Name != "prepared" {
		t.Errorf("prepared_data = %+v", pre.Output("prepared_data"))
	}
	if r := score.Component.Ref; r == nil || r.Name != "uci_heart_score" || r.Label != "latest" || score.Component.Definition() != nil {
		t.Errorf("score component = %+v", score.Component)
	}
	if b := score.Input("data").Binding; b == nil || b.Kind != BindStepOutput || b.Step != "preprocess_job" || b.Name != "prepared_data" {
		t.Errorf("score data = %+v", b)
	}
	if got := score.Needs(); !reflect.DeepEqual(got, []string{"preprocess_job"}) {
		t.Errorf("needs = %v", got)
	}
	if score.Compute != "azureml:gpu-cluster" {
		t.Errorf("compute = %q", score.Compute)
	}
	if o := score.Output("scores"); o.Binding == nil || o.Binding.Name != "scores" || o.Mode != "upload" {
		t.Errorf("scores output = %+v", o)
	}
	if got := c.Input("threshold"); got.Default.Value() != 0.5 {
		t.Errorf("threshold = %+v", got)
	}
}

// TestLoadInlineAndParallel: an inline child takes the step's type and the
// pipeline's folder for its code; a parallel component's settings and task
// are read.
func TestLoadInlineAndParallel(t *testing.T) {
	c := mustLoadComponent(t, componentPath("hello", "hello.yml"))
	def := c.Jobs[0].Component.Inline
	if def == nil || def.Type != ComponentCommand || def.Name != "" || def.File != "" || def.Command != "python hello.py" {
		t.Fatalf("inline = %+v", def)
	}
	if def.Environment.Ref == nil || !def.Environment.Ref.IsRegistry() || filepath.Base(def.Code.Path) != "src" {
		t.Errorf("inline env %+v code %+v", def.Environment.Ref, def.Code)
	}
	if c.Version != "1" {
		t.Errorf("version = %q (an unquoted number is a version)", c.Version)
	}

	p := mustLoadComponent(t, componentPath("parallel", "parallel.yml"))
	s := p.Parallel
	if p.Type != ComponentParallel || s == nil || s.Task == nil || s.Task.EntryScript != "score.py" || s.InputData != "${{inputs.job_data_path}}" {
		t.Fatalf("parallel = %+v / %+v", p, s)
	}
	if s.MiniBatchSize != "10" || *s.MaxConcurrencyPerInstance != 2 || *s.ErrorThreshold != 5 || s.LoggingLevel != "DEBUG" || *s.MaxRetries != 2 || *s.RetryTimeout != 60 {
		t.Errorf("settings = %+v", s)
	}
	if p.Input("job_data_path").Mode != "eval_mount" || *p.Resources.InstanceCount != 2 {
		t.Errorf("ports/resources = %+v %+v", p.Inputs, p.Resources)
	}
}

// TestComponentOverrides: --set and --version apply before validation.
func TestComponentOverrides(t *testing.T) {
	o, err := ParseSet([]string{"inputs.score_mode.default=overwrite", "display_name=Other"})
	if err != nil {
		t.Fatal(err)
	}
	c := mustLoadComponent(t, componentPath("scoring", "pipeline.yml"), append(o, Flag("--version", "version", "7"))...)
	if c.Input("score_mode").Default.Text != "overwrite" || c.DisplayName != "Other" || c.Version != "7" {
		t.Errorf("overrides not applied: %+v", c)
	}
}

// TestComponentSpec: the componentSpec of a pipeline holds the steps in the
// REST node form with the registered ids, and the file component's spec
// holds code and environment as azureml: ids.
func TestComponentSpec(t *testing.T) {
	c := mustLoadComponent(t, componentPath("scoring", "pipeline.yml"))
	ws := "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w"
	r := NewRegistered(ws)
	pre, score := c.Job("preprocess_job"), c.Job("score_job")
	r.Components[pre.Component] = ws + "/components/azureml_anonymous/versions/abc"
	r.Components[score.Component] = ws + "/components/uci_heart_score/versions/4"
	r.Data[pre.Input("transformations")] = ws + "/models/heart-classifier-transforms/versions/2"
	r.Data[score.Input("model")] = ws + "/models/heart-classifier/versions/3"

	spec := asJSON(t, c.Spec(r, false))
	want := map[string]any{
		"$schema": "https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json", "name": "batch_scoring_uci_heart",
		"display_name": "Batch Scoring for UCI heart", "description": "Prepare then score.", "type": "pipeline", "_source": "YAML.COMPONENT",
		"inputs": map[string]any{
			"input_data": map[string]any{"type": "uri_folder"},
			"score_mode": map[string]any{"type": "string", "default": "append"},
			"threshold":  map[string]any{"type": "number", "default": "0.5", "min": "0", "max": "1"},
		},
		"outputs": map[string]any{"scores": map[string]any{"type": "uri_folder", "mode": "upload"}, "prepared": map[string]any{"type": "uri_folder"}},
		"jobs": map[string]any{
			"preprocess_job": map[string]any{
				"name": "preprocess_job", "type": "command", "_source": "YAML.COMPONENT",
				"componentId": ws + "/components/azureml_anonymous/versions/abc",
				"inputs": map[string]any{
					"data":            map[string]any{"job_input_type": "literal", "value": "${{parent.inputs.input_data}}"},
					"transformations": map[string]any{"job_input_type": "custom_model", "uri": ws + "/models/heart-classifier-transforms/versions/2"},
				},
				"outputs": map[string]any{"prepared_data": map[string]any{"value": "${{parent.outputs.prepared}}", "type": "literal"}},
			},
			"score_job": map[string]any{
				"name": "score_job", "type": "command", "_source": "YAML.COMPONENT",
				"componentId": ws + "/components/uci_heart_score/versions/4", "computeId": ws + "/computes/gpu-cluster",
				"inputs": map[string]any{
					"data":       map[string]any{"job_input_type": "literal", "value": "${{parent.jobs.preprocess_job.outputs.prepared_data}}"},
					"model":      map[string]any{"job_input_type": "mlflow_model", "uri": ws + "/models/heart-classifier/versions/3"},
					"score_mode": map[string]any{"job_input_type": "literal", "value": "${{parent.inputs.score_mode}}"},
					"threshold":  map[string]any{"job_input_type": "literal", "value": "${{parent.inputs.threshold}}"},
				},
				"outputs": map[string]any{"scores": map[string]any{"value": "${{parent.outputs.scores}}", "type": "literal", "mode": "Upload"}},
			},
		},
	}
	assertSameJSON(t, spec, want)

	prep := pre.Component.Inline
	r.Codes[prep.Code] = ws + "/codes/c1/versions/1"
	r.Environments[prep.Environment] = ws + "/environments/xgboost-sklearn-py38/versions/2"
	child := asJSON(t, prep.Spec(r, true))
	if child["name"] != "uci_heart_prepare" || child["code"] != "azureml:"+ws+"/codes/c1/versions/1" ||
		child["environment"] != "azureml:"+ws+"/environments/xgboost-sklearn-py38/versions/2" || child["_source"] != "YAML.COMPONENT" {
		t.Errorf("child spec = %v", child)
	}
	in := child["inputs"].(map[string]any)["categorical_encoding"].(map[string]any)
	if in["optional"] != true || in["default"] != "ordinal" || !reflect.DeepEqual(in["enum"], []any{"ordinal", "onehot"}) {
		t.Errorf("categorical_encoding spec = %v", in)
	}
}

// TestComponentVersionMatchesSpecExample: the PUT body has exactly the
// properties of the 2025-12-01 ComponentVersion createOrUpdate example.
func TestComponentVersionMatchesSpecExample(t *testing.T) {
	c := mustLoadComponent(t, componentPath("scoring", "components", "prepare", "prepare.yml"), Flag("--set", "description", "string"), Flag("--set", "tags.string", "string"))
	r := NewRegistered("/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w")
	body := asJSON(t, c.ARM(r, false))
	want := fixtureBody(t, "ComponentVersion_createOrUpdate.json")
	wp, gp := want["properties"].(map[string]any), body["properties"].(map[string]any)
	if _, ok := gp["componentSpec"].(map[string]any); !ok {
		t.Fatalf("componentSpec = %v", gp["componentSpec"])
	}
	// The example's componentSpec is a placeholder object; compare the
	// rest field by field, and the key sets.
	delete(wp, "componentSpec")
	delete(gp, "componentSpec")
	wp["properties"] = map[string]any{}
	assertSameJSON(t, body, want)
}

// TestComponentFromDoc: a spec as the service stores it (stringified
// literals, capitalised types, REST nodes) decodes; and what ml sends
// decodes back to the same steps and ports.
func TestComponentFromDoc(t *testing.T) {
	var stored struct {
		Properties struct {
			ComponentSpec map[string]any `json:"component_spec"`
		} `json:"properties"`
	}
	readJSON(t, "pipeline_component_jobs_rest_data.json", &stored)
	c, err := ComponentFromDoc("test:1", stored.Properties.ComponentSpec)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != ComponentPipeline || len(c.Jobs) != 1 {
		t.Fatalf("component = %+v", c)
	}
	n := c.Jobs[0]
	if n.Component.Ref == nil || n.Compute != "${{parent.inputs.node_compute}}" {
		t.Errorf("node = %+v", n)
	}
	if in := c.Input("component_in_number"); in.Type != TypeNumber || !in.Optional || in.Default.Text != "10.99" {
		t.Errorf("number input = %+v", in)
	}
	if in := n.Input("literal_input"); in.Literal == nil || in.Literal.Text != "11" {
		t.Errorf("literal_input = %+v", in)
	}
	if in := n.Input("binding_input"); in.Binding == nil || in.Binding.Name != "component_in_path" {
		t.Errorf("binding_input = %+v", in)
	}
	if in := n.Input("data_input_legacy"); in.Type != TypeURIFile || in.Path != "https://my-blob/path/to/data" || in.Mode != "download" {
		t.Errorf("data_input_legacy = %+v", in)
	}
	if o := n.Output("output_binding2"); o.Binding == nil || o.Binding.Kind != BindParentOutput {
		t.Errorf("output_binding2 = %+v", o)
	}
	if o := n.Output("output_data_legacy"); o.Type != TypeURIFolder || o.Mode != "upload" {
		t.Errorf("output_data_legacy = %+v", o)
	}

	var cmd map[string]any
	readJSON(t, "helloworld_component_rest.json", &cmd)
	hc, err := ComponentFromDoc("hello:1", cmd["properties"].(map[string]any)["componentSpec"].(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	if hc.Code == nil || hc.Code.Ref == nil || hc.Code.Ref.ID == "" || hc.Environment.Ref == nil || hc.Input("component_in_number").Type != TypeNumber {
		t.Errorf("command component = %+v", hc)
	}

	// Round trip: the spec ml sends decodes to the same interface.
	src := mustLoadComponent(t, componentPath("scoring", "pipeline.yml"))
	ws := "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w"
	r := NewRegistered(ws)
	r.Components[src.Job("preprocess_job").Component] = ws + "/components/azureml_anonymous/versions/abc"
	var doc map[string]any
	data, _ := json.Marshal(src.Spec(r, false))
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	back, err := ComponentFromDoc("batch_scoring_uci_heart:1", doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"input_data", "score_mode", "threshold"} {
		a, b := src.Input(name), back.Input(name)
		if b == nil || a.Type != b.Type || (a.Default == nil) != (b.Default == nil) {
			t.Errorf("input %s: %+v vs %+v", name, a, b)
		}
	}
	for _, n := range src.Jobs {
		bn := back.Job(n.Name)
		if bn == nil || !reflect.DeepEqual(bn.Needs(), n.Needs()) || len(bn.Inputs) != len(n.Inputs) || len(bn.Outputs) != len(n.Outputs) {
			t.Errorf("step %s: %+v vs %+v", n.Name, bn, n)
			continue
		}
		for _, in := range n.Inputs {
			if bi := bn.Input(in.Name); bi == nil || (in.Binding == nil) != (bi.Binding == nil) {
				t.Errorf("step %s input %s: %+v vs %+v", n.Name, in.Name, in, bi)
			}
		}
	}
	if back.Job("score_job").Compute != ws+"/computes/gpu-cluster" {
		t.Errorf("compute = %q", back.Job("score_job").Compute)
	}
}

// TestResolveChildren: a referenced child is fetched, and the step is then
// checked against it.
func TestResolveChildren(t *testing.T) {
	c := mustLoadComponent(t, componentPath("scoring", "pipeline.yml"))
	score := mustLoadComponent(t, componentPath("scoring", "components", "score", "score.yml"))
	var asked []string
	err := c.ResolveChildren(func(r *Ref) (*Component, error) {
		asked = append(asked, r.Raw)
		return score, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asked, []string{"azureml:uci_heart_score@latest"}) || c.Job("score_job").Component.Resolved != score {
		t.Errorf("asked %v", asked)
	}

	// A child without the input a step sets is refused, naming the step.
	c = mustLoadComponent(t, componentPath("scoring", "pipeline.yml"))
	score.Inputs = score.Inputs[:3]
	err = c.ResolveChildren(func(*Ref) (*Component, error) { return score, nil })
	if err == nil || !strings.Contains(err.Error(), "jobs.score_job.inputs.threshold") || !strings.Contains(err.Error(), "pipeline.yml:") {
		t.Errorf("err = %v", err)
	}
}

// TestAnonymousVersion: the hash is Python's: md5 of json.dumps(sort_keys)
// as a GUID, without name, version, id and _source. The expected value was
// computed with CPython 3 for the same dict.
func TestAnonymousVersion(t *testing.T) {
	spec := map[string]any{
		"name": "x", "version": "1", "_source": "YAML.JOB", "type": "command", "command": "python hello.py",
		"inputs":      map[string]any{"a": map[string]any{"type": "number", "default": 0.5}, "b": map[string]any{"type": "integer", "default": int64(3)}},
		"environment": "azureml://registries/azureml/environments/sklearn-1.5/labels/latest", "display_name": "Grüße",
	}
	if got := pyJSON(map[string]any{"b": []any{true, nil, 1.0, 1e-05}, "a": "é\n"}); got != `{"a": "\u00e9\n", "b": [true, null, 1.0, 1e-05]}` {
		t.Errorf("pyJSON = %s", got)
	}
	if got, want := AnonymousVersion(spec), "ef7d74ab-2772-4750-616f-ee810b88434f"; got != want {
		t.Errorf("AnonymousVersion = %s, want %s", got, want)
	}
}
