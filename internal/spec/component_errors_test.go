package spec

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// goodPipeline is a valid two-step pipeline component the error cases
// mutate: a file child and an inline child.
const goodPipeline = `name: two_steps
type: pipeline
inputs:
  data:
    type: uri_folder
  rows:
    type: integer
    default: 10
outputs:
  result:
    type: uri_folder
jobs:
  prep:
    type: command
    component: prep.yml
    inputs:
      data: ${{parent.inputs.data}}
      rows: ${{parent.inputs.rows}}
  score:
    type: command
    component:
      inputs:
        prepared:
          type: uri_folder
      outputs:
        out:
          type: uri_folder
      code: src
      environment: azureml:env:1
      command: python score.py ${{inputs.prepared}} ${{outputs.out}}
    inputs:
      prepared: ${{parent.jobs.prep.outputs.prepared}}
    outputs:
      out: ${{parent.outputs.result}}
`

const goodPrep = `name: prep
type: command
inputs:
  data:
    type: uri_folder
  rows:
    type: integer
    min: 1
outputs:
  prepared:
    type: uri_folder
environment: azureml:env:1
command: python prep.py ${{inputs.data}} ${{inputs.rows}} ${{outputs.prepared}}
`

// TestComponentErrors: each bad component is refused before anything is
// registered, with FILE:LINE (the component's own file for a child), what
// is wrong and the fix, as a usage error.
func TestComponentErrors(t *testing.T) {
	rep := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
	p := func(old, new string) string { return rep(goodPipeline, old, new) }
	tests := []struct {
		name     string
		pipeline string
		prep     string
		set      []string
		want     []string // substrings in order; FILE is pipeline.yml, PREP prep.yml
	}{
		{"unknown key", p("type: pipeline", "type: pipeline\nsettings: {}"), "", nil,
			[]string{"FILE:3:", `unknown key "settings"`, "valid keys:"}},
		{"unknown step key", p("    component: prep.yml", "    component: prep.yml\n    mini_batch_size: 3"), "", nil,
			[]string{"FILE:16:", `unknown key "mini_batch_size" in jobs.prep`}},
		{"bad component name", p("name: two_steps", "name: Two-Steps"), "", nil,
			[]string{"FILE:1:", "must start with a lower-case letter", "two_steps"}},
		{"bad input type", p("    type: integer", "    type: int"), "", nil,
			[]string{"FILE:7:", `inputs.rows.type: "int" is not a type`, "integer"}},
		{"default of the wrong type", p("    default: 10", "    default: ten"), "", nil,
			[]string{"FILE:8:", "inputs.rows.default", `"ten" is not an integer`}},
		{"default out of bounds in child", "", rep(goodPrep, "    min: 1", "    min: 1\n    default: 0"), nil,
			[]string{"PREP:9:", "below the minimum 1"}},
		{"enum on a number", p("    default: 10", "    default: 10\n    enum: [a]"), "", nil,
			[]string{"FILE:9:", "enum is for string inputs"}},
		{"unknown pipeline input bound", p("data: ${{parent.inputs.data}}", "data: ${{parent.inputs.dta}}"), "", nil,
			[]string{"FILE:17:", `pipeline input "dta"`, "declared inputs: data, rows"}},
		{"unknown step bound", p("${{parent.jobs.prep.outputs.prepared}}", "${{parent.jobs.prepare.outputs.prepared}}"), "", nil,
			[]string{"FILE:32:", `names step "prepare"`, "its steps are: prep, score"}},
		{"unknown step output", p("${{parent.jobs.prep.outputs.prepared}}", "${{parent.jobs.prep.outputs.out}}"), "", nil,
			[]string{"FILE:32:", `output "out" of step prep`, "its outputs are: prepared"}},
		{"binding with text", p("data: ${{parent.inputs.data}}", "data: x${{parent.inputs.data}}"), "", nil,
			[]string{"FILE:17:", "mixes text with a ${{...}} binding"}},
		{"output bound as input", p("data: ${{parent.inputs.data}}", "data: ${{parent.outputs.result}}"), "", nil,
			[]string{"FILE:17:", "binds a pipeline output"}},
		{"unknown output binding", p("out: ${{parent.outputs.result}}", "out: ${{parent.outputs.res}}"), "", nil,
			[]string{"FILE:34:", `pipeline output "res"`, "declared outputs: result"}},
		{"input the component lacks", p("rows: ${{parent.inputs.rows}}", "rows: ${{parent.inputs.rows}}\n      extra: 3"), "", nil,
			[]string{"FILE:19:", `jobs.prep.inputs.extra: the step's component has no input "extra"`, "its inputs are: data, rows"}},
		{"required input missing", p("      rows: ${{parent.inputs.rows}}\n", ""), "", nil,
			[]string{"FILE:14:", `required input "rows"`, "add inputs.rows"}},
		{"literal of the wrong type", p("rows: ${{parent.inputs.rows}}", "rows: many"), "", nil,
			[]string{"FILE:18:", "jobs.prep.inputs.rows (integer)", `"many" is not an integer`}},
		{"literal to a data input", p("data: ${{parent.inputs.data}}", "data: ./folder"), "", nil,
			[]string{"FILE:17:", "is a uri_folder data input", "give {type: uri_folder, path: ...}"}},
		{"local data input missing", p("data: ${{parent.inputs.data}}", "data: {type: uri_folder, path: ./nowhere}"), "", nil,
			[]string{"FILE:17:", "jobs.prep.inputs.data.path: no such file or directory", "nowhere"}},
		{"cycle", p("rows: ${{parent.inputs.rows}}", "rows: ${{parent.jobs.score.outputs.out}}"), "", nil,
			[]string{"depend on each other in a circle"}},
		{"command placeholder undeclared", p("${{inputs.prepared}} ${{outputs.out}}", "${{inputs.prepard}} ${{outputs.out}}"), "", nil,
			[]string{"FILE:30:", "command uses ${{inputs.prepard}}", "declared inputs: prepared"}},
		{"missing code folder", p("code: src", "code: source"), "", nil,
			[]string{"FILE:28:", "code: no such file or directory", "source"}},
		{"missing component file", p("component: prep.yml", "component: prepare.yml"), "", nil,
			[]string{"FILE:15:", "component: no such file or directory", "prepare.yml"}},
		{"error in a child file", "", rep(goodPrep, "environment: azureml:env:1\n", ""), nil,
			[]string{"PREP:1:", `missing required key "environment"`}},
		{"child of another type", p("    type: command\n    component: prep.yml", "    type: parallel\n    component: prep.yml"), "", nil,
			[]string{"PREP:2:", "is a command component but the step is type: parallel"}},
		{"unsupported step type", p("    type: command\n    component: prep.yml", "    type: sweep\n    component: prep.yml"), "", nil,
			[]string{"FILE:14:", "steps of type sweep are not supported"}},
		{"inline pipeline child", p("    type: command\n    component:\n", "    type: pipeline\n    component:\n"), "", nil,
			[]string{"cannot define its component inline"}},
		{"component and command", p("    component: prep.yml", "    component: prep.yml\n    command: echo"), "", nil,
			[]string{"FILE:16:", "jobs.prep.command belongs in the component"}},
		{"no component", p("    component: prep.yml\n", ""), "", nil,
			[]string{"FILE:14:", "jobs.prep has no component"}},
		{"bad step name", p("  prep:", "  Prep:"), "", nil,
			[]string{"FILE:13:", `step name "Prep"`}},
		{"bad reference", p("component: prep.yml", "component: azureml:prep"), "", nil,
			[]string{"FILE:15:", "has no version", "azureml:prep@latest"}},
		{"no jobs", p("jobs:", "jobz:"), "", nil,
			[]string{"FILE:12:", `unknown key "jobz"`}},
		{"set error", "", "", []string{"inputs.rows.default=x"},
			[]string{"--set inputs.rows.default", `"x" is not an integer`}},
		{"output path local", p("out: ${{parent.outputs.result}}", "out: {path: ./out}"), "", nil,
			[]string{"FILE:34:", "must be a datastore URI"}},
		{"duplicate port", p("  rows:\n    type: integer", "  Data:\n    type: integer"), "", nil,
			[]string{"FILE:6:", `inputs "data" and "Data" differ only in case`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pipeline, prep := tt.pipeline, tt.prep
			if pipeline == "" {
				pipeline = goodPipeline
			}
			if prep == "" {
				prep = goodPrep
			}
			dir := writeTree(t, map[string]string{"pipeline.yml": pipeline, "prep.yml": prep, "src/score.py": "", "folder/x": ""})
			file := filepath.Join(dir, "pipeline.yml")
			o, err := ParseSet(tt.set)
			if err != nil {
				t.Fatal(err)
			}
			_, err = LoadComponent(context.Background(), file, nil, o)
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			if !clierr.IsUsage(err) {
				t.Errorf("%v is not a usage error", err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "FILE", file)
				w = strings.ReplaceAll(w, "PREP", filepath.Join(dir, "prep.yml"))
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestGoodPipelineLoads: the base of the error table is valid.
func TestGoodPipelineLoads(t *testing.T) {
	dir := writeTree(t, map[string]string{"pipeline.yml": goodPipeline, "prep.yml": goodPrep, "src/score.py": ""})
	c, err := LoadComponent(context.Background(), filepath.Join(dir, "pipeline.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Job("score").Component.Inline.Name != "" || c.Job("prep").Component.Inline.Name != "prep" {
		t.Errorf("children = %+v", c.Jobs)
	}
}

// TestComponentFileIncludesItself: a pipeline whose step names its own
// file is refused rather than read forever.
func TestComponentFileIncludesItself(t *testing.T) {
	self := "name: loop\ntype: pipeline\njobs:\n  again:\n    type: pipeline\n    component: loop.yml\n"
	dir := writeTree(t, map[string]string{"loop.yml": self})
	_, err := LoadComponent(context.Background(), filepath.Join(dir, "loop.yml"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "includes itself") {
		t.Fatalf("err = %v", err)
	}
}
