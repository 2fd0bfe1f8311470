package mlmodel

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestReadAzureSample reads the MLmodel of Azure's heart-classifier-mlflow
// sample (MLflow 1.x layout: env as a string, data under model_path,
// cloudpickle), copied from azureml-examples.
func TestReadAzureSample(t *testing.T) {
	m, err := Read("testdata/azure-heart-xgboost")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"python_function", "sklearn"}; !reflect.DeepEqual(m.Flavors, want) {
		t.Errorf("flavors = %v, want %v", m.Flavors, want)
	}
	if want := (PyFunc{LoaderModule: "mlflow.sklearn", ModelPath: "model.pkl", PythonVersion: "3.8.5"}); m.PyFunc != want {
		t.Errorf("python_function = %+v, want %+v", m.PyFunc, want)
	}
	if want := (&Sklearn{PickledModel: "model.pkl", SerializationFormat: "cloudpickle", Version: "1.1.2"}); !reflect.DeepEqual(m.Sklearn, want) {
		t.Errorf("sklearn = %+v, want %+v", m.Sklearn, want)
	}
	if m.Inputs == nil || len(m.Inputs.Columns) != 13 || m.Inputs.Tensors != nil {
		t.Fatalf("inputs = %+v, want 13 columns", m.Inputs)
	}
	if first, last := m.Inputs.Columns[0], m.Inputs.Columns[12]; first != (Column{Name: "age", Type: "long", Required: true}) || last != (Column{Name: "thal", Type: "string", Required: true}) {
		t.Errorf("first and last columns = %+v, %+v", first, last)
	}
	if len(m.Requirements) != 15 || m.Requirements[0] != "mlflow" || !slices.Contains(m.Requirements, "xgboost==1.4.2") {
		t.Errorf("requirements = %q", m.Requirements)
	}
	if got := m.ModelFlavors(); !reflect.DeepEqual(got, []string{"sklearn"}) {
		t.Errorf("model flavors = %v", got)
	}
}

// TestReadMLflow2 reads the MLflow 2.x layout: env as a map, optional
// columns, mlflow_version, a missing serialization_format.
func TestReadMLflow2(t *testing.T) {
	dir := modelDir(t, `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    sklearn_version: 1.2.1
mlflow_version: 2.9.2
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "note", "required": false}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
`)
	m, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.MLflowVersion != "2.9.2" || m.Sklearn.SerializationFormat != "pickle" || m.Requirements != nil {
		t.Errorf("mlflow_version %q, serialization_format %q, requirements %q", m.MLflowVersion, m.Sklearn.SerializationFormat, m.Requirements)
	}
	want := []Column{{Name: "x", Type: "double", Required: true}, {Name: "note", Type: "string", Required: false}}
	if !reflect.DeepEqual(m.Inputs.Columns, want) {
		t.Errorf("columns = %+v, want %+v", m.Inputs.Columns, want)
	}
}

func TestReadOldDataKeyAndTensorSignature(t *testing.T) {
	dir := modelDir(t, `flavors:
  python_function:
    loader_module: mlflow.sklearn
    data: model.pkl
  sklearn:
    pickled_model: model.pkl
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
`)
	m, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.PyFunc.Data != "model.pkl" || m.PyFunc.ModelPath != "" {
		t.Errorf("python_function = %+v, want the old data: key only", m.PyFunc)
	}
	if want := []Tensor{{DType: "float64", Shape: []int64{-1, 4}}}; !reflect.DeepEqual(m.Inputs.Tensors, want) || m.Inputs.Columns != nil {
		t.Errorf("inputs = %+v, want tensor %+v", m.Inputs, want)
	}
}

func TestReadErrors(t *testing.T) {
	t.Run("no MLmodel", func(t *testing.T) {
		dir := t.TempDir()
		_, err := Read(dir)
		var nm *NotMLflowError
		if !errors.As(err, &nm) || !strings.Contains(err.Error(), "has no MLmodel file at its root") {
			t.Errorf("err = %v, want a NotMLflowError", err)
		}
	})
	for _, tc := range []struct{ name, mlmodel, want string }{
		{"not YAML", "flavors: [\n", "is not a valid MLmodel file"},
		{"no python_function", "flavors:\n  xgboost:\n    data: model.xgb\n  sklearn: {}\n", "has no python_function flavor (its flavors: sklearn, xgboost)"},
		{"no loader module", "flavors:\n  python_function:\n    model_path: model.pkl\n", "flavors.python_function has no loader_module"},
		{"model path outside", "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: ../../etc/passwd\n", `model_path "../../etc/passwd" points outside the model folder`},
		{"bad signature", "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\nsignature:\n  inputs: 'not json'\n", "signature.inputs: not the JSON list"},
		{"mixed signature", "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\nsignature:\n  inputs: '[{\"type\": \"long\", \"name\": \"a\"}, {\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"int8\", \"shape\": [-1]}}]'\n", "mixes column specs and tensor specs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(modelDir(t, tc.mlmodel))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func modelDir(t *testing.T, mlmodel string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(mlmodel), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
