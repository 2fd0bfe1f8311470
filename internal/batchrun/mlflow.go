package batchrun

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlbatch/ml/internal/batchrun/mlmodel"
)

// mlflowScoreSource is the built-in scoring script of no-code MLflow
// deployments, run by the same worker driver as a deployment's own script.
//
//go:embed mlflow_score.py
var mlflowScoreSource []byte

const (
	mlflowScoreScript = "mlflow_score.py"
	// mlflowSpecFile is what the built-in script knows about the model, read
	// from the MLmodel file here so that Python needs no YAML parser.
	mlflowSpecFile = "mlflow_model.json"
)

// mlflowSpec is mlflowSpecFile's content.
type mlflowSpec struct {
	// Model is name:version, for messages.
	Model string `json:"model"`
	// Path is the model folder inside AZUREML_MODEL_DIR, the path
	// mlflow.pyfunc.load_model is given.
	Path          string           `json:"path"`
	Flavors       []string         `json:"flavors"`
	LoaderModule  string           `json:"loader_module"`
	ModelPath     string           `json:"model_path"`
	Data          string           `json:"data"`
	Sklearn       *mlmodel.Sklearn `json:"sklearn"`
	Inputs        *mlmodel.Schema  `json:"inputs"`
	Requirements  []string         `json:"requirements"`
	MLflowVersion string           `json:"mlflow_version"`
}

// setUpMLflowScoring reads the MLflow model of a no-code deployment and
// writes the built-in scoring script and its spec next to the worker driver.
// It returns the code folder and script the workers run. A model that is not
// an MLflow model, or has no python_function flavor, fails the job here,
// before any worker starts.
func (l layout) setUpMLflowScoring(s settings, azuremlModelDir string) (codeDir, script string, err error) {
	m, err := mlmodel.Read(s.modelDir)
	if err != nil {
		return "", "", fmt.Errorf("model %s:%s is registered as an MLflow model (%s) but cannot be scored without a scoring script: %w",
			s.modelName, s.modelVersion, ModelTypeMLflow, err)
	}
	spec := mlflowSpec{
		Model:         s.modelName + ":" + s.modelVersion,
		Path:          filepath.Join(azuremlModelDir, filepath.Base(s.modelDir)),
		Flavors:       m.Flavors,
		LoaderModule:  m.PyFunc.LoaderModule,
		ModelPath:     m.PyFunc.ModelPath,
		Data:          m.PyFunc.Data,
		Sklearn:       m.Sklearn,
		Inputs:        m.Inputs,
		Requirements:  m.Requirements,
		MLflowVersion: m.MLflowVersion,
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return "", "", err
	}
	dir := filepath.Dir(l.driverFile())
	if err := os.WriteFile(filepath.Join(dir, mlflowSpecFile), data, 0o644); err != nil {
		return "", "", fmt.Errorf("write the MLflow model spec: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, mlflowScoreScript), mlflowScoreSource, 0o644); err != nil {
		return "", "", fmt.Errorf("write the built-in MLflow scoring script: %w", err)
	}
	return dir, mlflowScoreScript, nil
}
