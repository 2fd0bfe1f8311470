package invoke

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/spec"
)

const scoringComponent = `name: batch_scoring
type: pipeline
inputs:
  input_data:
    type: uri_folder
  score_mode:
    type: string
    default: append
  threshold:
    type: number
    min: 0
    max: 1
    optional: true
outputs:
  scores:
    type: uri_folder
jobs:
  s:
    command: echo ${{inputs.d}}
    environment: azureml:e:1
    inputs:
      d: ${{parent.inputs.input_data}}
    outputs:
      o: ${{parent.outputs.scores}}
`

// TestCheckPipelineInputs: an invocation is checked against the declared
// inputs and outputs; errors name the input and list the declared ones.
func TestCheckPipelineInputs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pipeline.yml")
	if err := os.WriteFile(file, []byte(scoringComponent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	comp, err := spec.LoadComponent(context.Background(), file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := "inputs.input_data.path=" + filepath.Join(dir, "data")
	tests := []struct {
		name string
		set  []string
		flag invocation.Flags
		want string // "" = accepted
	}{
		{"data and literals", []string{data, "inputs.input_data.type=uri_folder", "inputs.score_mode=overwrite", "inputs.threshold=0.25", "outputs.scores.type=uri_folder", "outputs.scores.mode=upload"}, invocation.Flags{}, ""},
		{"defaults and optional may be left out", []string{data, "inputs.input_data.type=uri_folder"}, invocation.Flags{}, ""},
		{"unknown input", []string{data, "inputs.input_data.type=uri_folder", "inputs.score_mod=x"}, invocation.Flags{},
			`input "score_mod" is not an input of pipeline component batch_scoring:1 (deployment d); its inputs are: input_data (uri_folder, required), score_mode (string, default append), threshold (number, optional)`},
		{"missing required", []string{"inputs.score_mode=x"}, invocation.Flags{}, `needs input "input_data", which has no default`},
		{"literal out of bounds", []string{data, "inputs.input_data.type=uri_folder", "inputs.threshold=3"}, invocation.Flags{}, `input "threshold" of pipeline component batch_scoring:1 (number): "3" is above the maximum 1`},
		{"literal not a number", []string{data, "inputs.input_data.type=uri_folder", "inputs.threshold=high"}, invocation.Flags{}, `"high" is not a number`},
		{"data to a literal", []string{data, "inputs.input_data.type=uri_folder", "inputs.score_mode.type=uri_folder", "inputs.score_mode.path=" + filepath.Join(dir, "data")}, invocation.Flags{}, `is a string literal, not data`},
		{"literal to data", []string{"inputs.input_data=" + filepath.Join(dir, "data")}, invocation.Flags{}, `is uri_folder data, not a literal`},
		{"wrong data type", []string{data, "inputs.input_data.type=uri_file"}, invocation.Flags{}, `is uri_folder, but uri_file was given`},
		{"unknown output", []string{data, "inputs.input_data.type=uri_folder", "outputs.score.type=uri_folder"}, invocation.Flags{}, `output "score" is not an output of pipeline component batch_scoring:1 (deployment d); its outputs are: scores`},
		{"--input", nil, invocation.Flags{Input: filepath.Join(dir, "data")}, "whose inputs are named: input_data (uri_folder, required)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flag
			f.Endpoint = "ep"
			if tt.set != nil {
				f.Set = [][]string{tt.set}
			}
			inv, err := invocation.Build(context.Background(), f, strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			err = checkPipelineInputs(comp, "batch_scoring:1", "d", inv)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !clierr.IsUsage(err)):
				t.Fatalf("err = %v, want a usage error with %q", err, tt.want)
			}
		})
	}
}
