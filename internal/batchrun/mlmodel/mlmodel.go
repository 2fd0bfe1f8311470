// Package mlmodel reads the MLmodel file of an MLflow model folder: which
// flavors the model has, how its python_function flavor is loaded (the flavor
// Azure's no-code batch deployments use) and its input signature. It reads
// the on-disk format mlflow.models.Model.save writes (MLflow 1.x and 2.x);
// it never imports or runs Python.
package mlmodel

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the name of the file that makes a folder an MLflow model.
const FileName = "MLmodel"

// PyFuncFlavor is the flavor every MLflow model that can be served
// generically has; its loader_module loads it.
const PyFuncFlavor = "python_function"

// maxMLmodelBytes bounds the read of an MLmodel file: real ones are a few
// KiB; a signature with thousands of columns still fits.
const maxMLmodelBytes = 4 << 20

// maxRequirements bounds how many lines of requirements.txt are kept for
// messages.
const maxRequirements = 20

// Model is what the MLmodel file of one model folder says.
type Model struct {
	// Dir is the model folder, the one holding MLmodel.
	Dir string
	// Flavors are the names of the model's flavors, sorted.
	Flavors []string
	// PyFunc is the python_function flavor.
	PyFunc PyFunc
	// Sklearn is the sklearn flavor; nil when the model has none.
	Sklearn *Sklearn
	// Inputs is the signature's input schema; nil when the model has no
	// signature (inputs are then not enforced).
	Inputs *Schema
	// MLflowVersion is the version of MLflow that saved the model ("" for
	// models saved before MLflow wrote it).
	MLflowVersion string
	// Requirements are the first lines of the model's requirements.txt
	// (comments and blank lines left out), for messages; nil when it has none.
	Requirements []string
}

// PyFunc is the python_function flavor's configuration.
type PyFunc struct {
	// LoaderModule is the module whose _load_pyfunc loads the model, e.g.
	// mlflow.sklearn.
	LoaderModule string
	// ModelPath is the flavor's model_path (MLflow > 1.9.1), relative to
	// the model folder: the loader reads it from the MLmodel file itself.
	ModelPath string
	// Data is the flavor's data (MLflow <= 1.9.1), relative to the model
	// folder: mlflow.pyfunc hands the loader this path instead of the model
	// folder.
	Data string
	// PythonVersion is the Python version that saved the model.
	PythonVersion string
}

// Sklearn is the sklearn flavor's configuration.
type Sklearn struct {
	// PickledModel is the pickle file, relative to the model folder.
	PickledModel string `json:"pickled_model"`
	// SerializationFormat is pickle or cloudpickle; MLflow reads a missing
	// value as pickle.
	SerializationFormat string `json:"serialization_format"`
	// Version is the scikit-learn version that saved the model.
	Version string `json:"sklearn_version"`
}

// Schema is a signature's input schema: named (or unnamed) columns, or
// tensors.
type Schema struct {
	// Columns are the column specs; nil for a tensor schema.
	Columns []Column `json:"columns,omitempty"`
	// Tensors are the tensor specs; nil for a column schema.
	Tensors []Tensor `json:"tensors,omitempty"`
}

// Column is one column spec of a signature ({"name": ..., "type": ...}).
type Column struct {
	// Name is "" for an unnamed column.
	Name string `json:"name,omitempty"`
	// Type is an MLflow DataType: boolean, integer, long, float, double,
	// string, binary or datetime (newer MLflow also writes array, object,
	// map and any, which are passed on unchecked).
	Type string `json:"type"`
	// Required is false only when the spec says "required": false.
	Required bool `json:"required"`
}

// Tensor is one tensor spec of a signature.
type Tensor struct {
	Name  string  `json:"name,omitempty"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

// NotMLflowError says that a folder holds no MLmodel file.
type NotMLflowError struct{ Dir string }

func (e *NotMLflowError) Error() string {
	return fmt.Sprintf("%s has no %s file at its root: an MLflow model is the folder that mlflow.<flavor>.save_model writes (MLmodel, model files, conda.yaml, requirements.txt); register that folder as the model's path", e.Dir, FileName)
}

// fileDoc is the part of the MLmodel YAML this package reads.
type fileDoc struct {
	Flavors       map[string]yaml.Node `yaml:"flavors"`
	Signature     *signatureDoc        `yaml:"signature"`
	MLflowVersion string               `yaml:"mlflow_version"`
}

type signatureDoc struct {
	// Inputs is the schema as a JSON string, as MLflow writes it.
	Inputs string `yaml:"inputs"`
}

type pyFuncDoc struct {
	LoaderModule  string `yaml:"loader_module"`
	ModelPath     string `yaml:"model_path"`
	Data          string `yaml:"data"`
	PythonVersion string `yaml:"python_version"`
}

type sklearnDoc struct {
	PickledModel        string `yaml:"pickled_model"`
	SerializationFormat string `yaml:"serialization_format"`
	SklearnVersion      string `yaml:"sklearn_version"`
}

// Read reads dir/MLmodel. A folder without one is a *NotMLflowError. A model
// without a python_function flavor is an error: nothing can load it without
// a scoring script.
func Read(dir string) (*Model, error) {
	path := filepath.Join(dir, FileName)
	data, err := readBounded(path, maxMLmodelBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotMLflowError{Dir: dir}
	}
	if err != nil {
		return nil, err
	}
	var doc fileDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a valid MLmodel file: %v", path, err)
	}
	m := &Model{Dir: dir, MLflowVersion: doc.MLflowVersion}
	for name := range doc.Flavors {
		m.Flavors = append(m.Flavors, name)
	}
	slices.Sort(m.Flavors)

	node, ok := doc.Flavors[PyFuncFlavor]
	if !ok {
		return nil, fmt.Errorf("the MLflow model in %s has no %s flavor (its flavors: %s), so it cannot be loaded with mlflow.pyfunc: Azure's no-code batch deployments need one; deploy the model with a scoring script (code_configuration) that loads it with its own flavor",
			dir, PyFuncFlavor, listOrNone(m.Flavors))
	}
	var pf pyFuncDoc
	if err := node.Decode(&pf); err != nil {
		return nil, fmt.Errorf("%s: flavors.%s: %v", path, PyFuncFlavor, err)
	}
	if pf.LoaderModule == "" {
		return nil, fmt.Errorf("%s: flavors.%s has no loader_module, so nothing can load the model; save it again with mlflow", path, PyFuncFlavor)
	}
	m.PyFunc = PyFunc{LoaderModule: pf.LoaderModule, ModelPath: pf.ModelPath, Data: pf.Data, PythonVersion: pf.PythonVersion}
	for key, rel := range map[string]string{"model_path": pf.ModelPath, "data": pf.Data} {
		if err := insideModel(path, "flavors."+PyFuncFlavor+"."+key, rel); err != nil {
			return nil, err
		}
	}

	if node, ok := doc.Flavors["sklearn"]; ok {
		var sk sklearnDoc
		if err := node.Decode(&sk); err != nil {
			return nil, fmt.Errorf("%s: flavors.sklearn: %v", path, err)
		}
		m.Sklearn = &Sklearn{PickledModel: sk.PickledModel, SerializationFormat: sk.SerializationFormat, Version: sk.SklearnVersion}
		if m.Sklearn.SerializationFormat == "" {
			m.Sklearn.SerializationFormat = "pickle"
		}
		if err := insideModel(path, "flavors.sklearn.pickled_model", sk.PickledModel); err != nil {
			return nil, err
		}
	}

	if doc.Signature != nil && strings.TrimSpace(doc.Signature.Inputs) != "" {
		if m.Inputs, err = parseSchema(doc.Signature.Inputs); err != nil {
			return nil, fmt.Errorf("%s: signature.inputs: %v", path, err)
		}
	}
	m.Requirements = readRequirements(filepath.Join(dir, "requirements.txt"))
	return m, nil
}

// ModelFlavors are the flavors other than python_function: the ones that
// say what kind of model it is (sklearn, xgboost, ...).
func (m *Model) ModelFlavors() []string {
	var out []string
	for _, f := range m.Flavors {
		if f != PyFuncFlavor {
			out = append(out, f)
		}
	}
	return out
}

// specDoc is one element of a signature's JSON schema.
type specDoc struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Required   *bool   `json:"required"`
	TensorSpec *Tensor `json:"tensor-spec"`
}

// parseSchema decodes the JSON list MLflow writes for a schema.
func parseSchema(text string) (*Schema, error) {
	var specs []specDoc
	if err := json.Unmarshal([]byte(text), &specs); err != nil {
		return nil, fmt.Errorf("not the JSON list of column or tensor specs MLflow writes: %v", err)
	}
	s := &Schema{}
	for i, spec := range specs {
		switch {
		case spec.Type == "tensor":
			if spec.TensorSpec == nil {
				return nil, fmt.Errorf("element %d is a tensor without a tensor-spec", i)
			}
			t := *spec.TensorSpec
			t.Name = spec.Name
			s.Tensors = append(s.Tensors, t)
		case spec.Type == "":
			return nil, fmt.Errorf("element %d has no type", i)
		default:
			s.Columns = append(s.Columns, Column{Name: spec.Name, Type: spec.Type, Required: spec.Required == nil || *spec.Required})
		}
	}
	if len(s.Columns) > 0 && len(s.Tensors) > 0 {
		return nil, fmt.Errorf("mixes column specs and tensor specs")
	}
	return s, nil
}

// insideModel checks that a path the MLmodel file names stays inside the
// model folder.
func insideModel(file, key, rel string) error {
	if rel == "" {
		return nil
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s: %s %q points outside the model folder; it must be a path inside it", file, key, rel)
	}
	return nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB; that is not an MLmodel file", path, limit>>20)
	}
	return data, nil
}

// readRequirements returns the requirement lines of a requirements.txt, or
// nil when there is none.
func readRequirements(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var reqs []string
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() && len(reqs) < maxRequirements {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			reqs = append(reqs, line)
		}
	}
	return reqs
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
