package batchrun

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// mlflowModel writes an MLflow model folder: the MLmodel text, and model.pkl
// made by running pickler (Python that binds model) with py.
func mlflowModel(t *testing.T, py, mlmodel, pickler string, extra map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(dir, "MLmodel"), mlmodel)
	for name, content := range extra {
		writeFile(t, filepath.Join(dir, name), content)
	}
	if pickler != "" {
		script := "import pickle, sys\n" + pickler + "\nwith open(sys.argv[1], 'wb') as f:\n    pickle.dump(model, f)\n"
		if out, err := exec.Command(py, "-c", script, filepath.Join(dir, "model.pkl")).CombinedOutput(); err != nil {
			t.Fatalf("make model.pkl: %v\n%s", err, out)
		}
	}
	return dir
}

func mlflowDeployment(modelDir, py string) Deployment {
	zero := 0
	return Deployment{ModelDir: modelDir, ModelType: "MLflow_Model", ModelName: "m", ModelVersion: "3", Python: py, MaxRetries: &zero}
}

// heartMLflowDir is the MLflow model that testdata/heart-mlflow/make_model.py writes.
var heartMLflowDir = filepath.Join("..", "..", "testdata", "heart-mlflow")

// TestMLflowNoCodeScoresEveryRow: an MLflow model deployed without code is
// scored by the built-in script: one "row,prediction,file" line per input
// row, rows numbered from 0 in each file, the predictions the model itself
// makes (checked by the model folder's own check_predictions.py), on several
// workers. AZUREML_MODEL_DIR is gone once the job has ended.
func TestMLflowNoCodeScoresEveryRow(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	d := mlflowDeployment(filepath.Join(heartMLflowDir, "model"), py)
	d.MiniBatchSize, d.MaxConcurrencyPerInstance = 1, 2
	data := filepath.Join(heartDir, "data", "unlabeled")
	job := newJob(t, data)
	res, err, _ := runJob(t, d, job)
	if err != nil {
		t.Fatalf("job failed: %v", err)
	}
	lines := readLines(t, res.OutputFile)
	line := regexp.MustCompile(`^\d+,[01],heart-unlabeled-[0-3]\.csv$`)
	for i, l := range lines {
		if !line.MatchString(l) {
			t.Fatalf("line %d = %q, want row,prediction,file", i+1, l)
		}
	}
	if len(lines) != 303 || lines[0] != "0,0,heart-unlabeled-0.csv" || res.RowsWritten != 303 || res.ItemsFailed != 0 {
		t.Errorf("%d lines (first %q), progress %+v; want 303 rows from 0,0,heart-unlabeled-0.csv and no failure", len(lines), lines[0], res.Progress)
	}
	out, err := exec.Command(py, filepath.Join(heartMLflowDir, "check_predictions.py"), d.ModelDir, data, res.OutputFile).CombinedOutput()
	if err != nil {
		t.Errorf("predictions differ from the model's own: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(job.JobDir, "azureml-models")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AZUREML_MODEL_DIR still exists after the job: %v", err)
	}
	if stdout := readText(t, filepath.Join(res.LogsDir, "user", "stdout", "0", "process000.stdout.txt")); !strings.Contains(stdout, "with the built-in mlflow.sklearn loader") {
		t.Errorf("the worker's stdout log does not say how the model was loaded:\n%s", stdout)
	}
}

// signatureModel has a signature of two required columns and an optional
// one, and a DecisionTree fitted on exactly the required two, in order
// (scikit-learn refuses other feature names or another order), predicting
// strings.
const signatureModel = `flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
    serialization_format: pickle
signature:
  inputs: '[{"type": "long", "name": "x", "required": true}, {"type": "double", "name": "n", "required": true}, {"type": "string", "name": "note", "required": false}]'
`

const signaturePickler = `import pandas as pd
from sklearn.tree import DecisionTreeClassifier
model = DecisionTreeClassifier(random_state=0).fit(pd.DataFrame({"x": [1, 2, 3, 4], "n": [0.5, 0.5, 1.5, 1.5]}), ["low", "low", "high, really", "high, really"])`

// TestMLflowSignatureAndUnsupportedFiles: columns are typed and selected by
// the signature (extra ones dropped, a missing required one an error naming
// it), values that do not parse as the signature's type fail their file with
// Azure's "Error processing input file" message, and a file that is not a
// table fails with the supported types listed. Failed files fail their
// mini-batch only (error_threshold -1).
func TestMLflowSignatureAndUnsupportedFiles(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	d := mlflowDeployment(mlflowModel(t, py, signatureModel, signaturePickler, nil), py)
	d.MiniBatchSize = 1
	in := filepath.Join(t.TempDir(), "in")
	// Another column order and an extra column: the signature's columns are
	// picked, in its order.
	writeFile(t, filepath.Join(in, "a-good.csv"), "extra,n,x\nzz,0.5,1\nyy,1.5,4\n")
	writeFile(t, filepath.Join(in, "b-missing.csv"), "x\n1\n")
	writeFile(t, filepath.Join(in, "c-bad.csv"), "x,n\nabc,1\n")
	writeFile(t, filepath.Join(in, "d-notes.txt"), "hello")
	job := newJob(t, in)
	res, err, _ := runJob(t, d, job)
	if err != nil {
		t.Fatalf("job failed: %v", err)
	}
	// The script sees the files in the job's read-only view of the input.
	in = filepath.Join(job.JobDir, "inputs", "0", "in")
	if got, want := readLines(t, res.OutputFile), []string{"0,low,a-good.csv", `1,"high, really",a-good.csv`}; !slices.Equal(got, want) {
		t.Errorf("output = %q, want %q", got, want)
	}
	if res.MiniBatchesFailed != 3 || res.ItemsFailed != 3 {
		t.Errorf("progress = %+v, want 3 failed mini-batches", res.Progress)
	}
	errors := readText(t, filepath.Join(res.LogsDir, "user", "error", "0", "process000.txt"))
	for _, want := range []string{
		"Model is missing inputs ['n']",
		"Error processing input file: '" + filepath.Join(in, "c-bad.csv") + "'. Exception: invalid literal for int() with base 10: 'abc'",
		"Error processing input file: '" + filepath.Join(in, "d-notes.txt") + "'. File type 'txt' is not supported",
		".csv, .parquet, .pqt",
	} {
		if !strings.Contains(errors, want) {
			t.Errorf("error log lacks %q:\n%s", want, errors)
		}
	}
}

// xgboostMLmodel is the MLmodel of an XGBoost model saved by mlflow.xgboost.
const xgboostMLmodel = `artifact_path: model
flavors:
  python_function:
    data: model.xgb
    env: conda.yaml
    loader_module: mlflow.xgboost
    python_version: 3.8.5
  xgboost:
    code: null
    data: model.xgb
    model_class: xgboost.sklearn.XGBClassifier
    xgb_version: 1.4.2
`

// TestMLflowUnsupportedFlavorFailsTheJob: without mlflow, a flavor the
// runtime cannot load fails the job at init, with one message naming the
// flavor, the loader module and what to install, and no traceback; the job
// leaves no empty output file.
func TestMLflowUnsupportedFlavorFailsTheJob(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	model := mlflowModel(t, py, xgboostMLmodel, "", map[string]string{"model.xgb": "booster", "requirements.txt": "mlflow\nxgboost==1.4.2\n"})
	job := newJob(t, inputDir(t, "a.csv"))
	res, err, _ := runJob(t, mlflowDeployment(model, py), job)
	var je *JobError
	if !errors.As(err, &je) || je.Status != StatusFailed {
		t.Fatalf("err = %v, want a failed job", err)
	}
	for _, want := range []string{"init() in the built-in MLflow scoring script failed: model m:3 has flavor xgboost", "loader module mlflow.xgboost", "mlflow is not importable", "pip install mlflow xgboost==1.4.2", "ML_LOCAL_PYTHON"} {
		if !strings.Contains(je.Message, want) {
			t.Errorf("failure lacks %q:\n%s", want, je.Message)
		}
	}
	if strings.Contains(je.Message, "Traceback") || strings.Contains(readText(t, filepath.Join(res.LogsDir, "user", "error.txt")), "Traceback") {
		t.Errorf("the failure carries a traceback:\n%s", je.Message)
	}
	if res.OutputFile != "" {
		t.Errorf("a job that wrote no row left output file %s", res.OutputFile)
	}
	if _, err := os.Stat(filepath.Join(job.OutputDir, DefaultOutputFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("predictions.csv exists after a job that failed at init: %v", err)
	}
}

// TestMLflowMissingModuleWhileUnpickling: Azure's own sample is a
// cloudpickled scikit-learn pipeline holding an XGBClassifier; unpickling it
// without xgboost fails the job naming the module and the requirements.
func TestMLflowMissingModuleWhileUnpickling(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	mlmodel := strings.ReplaceAll(signatureModel, "serialization_format: pickle", "serialization_format: cloudpickle")
	model := mlflowModel(t, py, mlmodel, "", map[string]string{
		// A pickle of xgboost.sklearn.XGBClassifier, as pickle protocol 0 writes it.
		"model.pkl":        "cxgboost_not_installed_here.sklearn\nXGBClassifier\n.",
		"requirements.txt": "mlflow\ncloudpickle==1.6.0\nscikit-learn==1.1.2\nxgboost_not_installed_here==1.4.2\n",
	})
	_, err, _ := runJob(t, mlflowDeployment(model, py), newJob(t, inputDir(t, "a.csv")))
	want := "unpickling model.pkl (serialization_format cloudpickle) needs the module xgboost_not_installed_here"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "xgboost_not_installed_here==1.4.2") {
		t.Errorf("err = %v, want it to contain %q and the requirement", err, want)
	}
}

// TestMLflowLoadsWithMlflowWhenImportable: when mlflow is importable the
// built-in script loads the model with mlflow.pyfunc.load_model, whatever the
// flavor, and hands it the file as read (mlflow enforces the signature). A
// stand-in mlflow package on PYTHONPATH records the call.
func TestMLflowLoadsWithMlflowWhenImportable(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	stub := filepath.Join(t.TempDir(), "site")
	writeFile(t, filepath.Join(stub, "mlflow", "__init__.py"), "__version__ = '0.0-stand-in'\n")
	writeFile(t, filepath.Join(stub, "mlflow", "pyfunc.py"), `import os

class Loaded:
    def __init__(self, path):
        self.path = path

    def predict(self, frame):
        return ["%s|%s" % (os.path.basename(self.path), "+".join(frame.columns))] * len(frame)

def load_model(path):
    return Loaded(path)
`)
	model := mlflowModel(t, py, xgboostMLmodel, "", map[string]string{"model.xgb": "booster"})
	d := mlflowDeployment(model, py)
	d.EnvironmentVariables = map[string]string{"PYTHONPATH": stub}
	in := filepath.Join(t.TempDir(), "in")
	writeFile(t, filepath.Join(in, "f.csv"), "a,b\n1,2\n3,4\n")
	res, err, _ := runJob(t, d, newJob(t, in))
	if err != nil {
		t.Fatalf("job failed: %v", err)
	}
	if got, want := readLines(t, res.OutputFile), []string{"0,model|a+b,f.csv", "1,model|a+b,f.csv"}; !slices.Equal(got, want) {
		t.Errorf("output = %q, want %q", got, want)
	}
	if stdout := readText(t, filepath.Join(res.LogsDir, "user", "stdout", "0", "process000.stdout.txt")); !strings.Contains(stdout, "with mlflow.pyfunc.load_model (mlflow 0.0-stand-in)") {
		t.Errorf("stdout log does not say mlflow loaded the model:\n%s", stdout)
	}
}

// TestMLflowTensorSignature: a model whose signature is one tensor gets the
// file as an array of the tensor's dtype; a file of the wrong width fails.
func TestMLflowTensorSignature(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	mlmodel := `flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2]}}]'
`
	model := mlflowModel(t, py, mlmodel, `from sklearn.linear_model import LinearRegression
model = LinearRegression().fit([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [0.0, 1.0, 2.0])`, nil)
	d := mlflowDeployment(model, py)
	d.MiniBatchSize = 1
	in := filepath.Join(t.TempDir(), "in")
	writeFile(t, filepath.Join(in, "a.csv"), "p,q\n2,0\n")
	writeFile(t, filepath.Join(in, "b.csv"), "p,q,r\n1,1,1\n")
	res, err, _ := runJob(t, d, newJob(t, in))
	if err != nil {
		t.Fatalf("job failed: %v", err)
	}
	lines := readLines(t, res.OutputFile)
	if len(lines) != 1 || !regexp.MustCompile(`^0,(2\.0|1\.99999\d*|2\.00000\d*),a\.csv$`).MatchString(lines[0]) {
		t.Errorf("output = %q, want one prediction of 2 for a.csv", lines)
	}
	if log := readText(t, filepath.Join(res.LogsDir, "user", "error", "0", "process000.txt")); !strings.Contains(log, "the model's input tensor has shape [-1, 2], the file has 3 columns") {
		t.Errorf("error log lacks the shape mismatch:\n%s", log)
	}
}

// TestMLflowExplainsMissingPandas: an interpreter without pandas fails the
// job saying what to install. (A pandas module that cannot be imported
// stands in for the missing package.)
func TestMLflowExplainsMissingPandas(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	shadow := filepath.Join(t.TempDir(), "site")
	writeFile(t, filepath.Join(shadow, "pandas.py"), "raise ImportError('No module named pandas')\n")
	d := mlflowDeployment(mlflowModel(t, py, signatureModel, signaturePickler, nil), py)
	d.EnvironmentVariables = map[string]string{"PYTHONPATH": shadow}
	_, err, _ := runJob(t, d, newJob(t, inputDir(t, "a.csv")))
	for _, want := range []string{"needs the Python package pandas", "apt install python3-pandas", "ML_LOCAL_PYTHON"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
}

// TestMLflowModelErrorsBeforeAnyWorker: a model registered as mlflow_model
// that has no MLmodel file, or no python_function flavor, fails the job
// while it is prepared, naming the model; no worker starts.
func TestMLflowModelErrorsBeforeAnyWorker(t *testing.T) {
	notMLflow := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(notMLflow, "model.pkl"), "x")
	noPyFunc := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(noPyFunc, "MLmodel"), "flavors:\n  keras:\n    data: data\n")
	for name, tc := range map[string]struct{ dir, want string }{
		"no MLmodel":         {notMLflow, "has no MLmodel file at its root"},
		"no python_function": {noPyFunc, "has no python_function flavor (its flavors: keras)"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err, _ := runJob(t, mlflowDeployment(tc.dir, "python3"), newJob(t, inputDir(t, "a.csv")))
			if err == nil || !strings.Contains(err.Error(), "model m:3 is registered as an MLflow model") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to name the model and contain %q", err, tc.want)
			}
			if res.Workers != 0 {
				t.Errorf("%d workers started", res.Workers)
			}
		})
	}
	t.Run("no model at all", func(t *testing.T) {
		_, err, _ := runJob(t, Deployment{ModelType: ModelTypeMLflow}, newJob(t, inputDir(t, "a.csv")))
		if err == nil || !strings.Contains(err.Error(), "needs the model itself") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no code and not MLflow", func(t *testing.T) {
		_, err, _ := runJob(t, Deployment{ModelDir: noPyFunc, ModelType: "custom_model"}, newJob(t, inputDir(t, "a.csv")))
		if err == nil || !strings.Contains(err.Error(), "code_configuration.code is empty") || !strings.Contains(err.Error(), "only an MLflow model") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestMLflowHonoursSettings: a no-code MLflow deployment runs through the
// same machinery as a scripted one: retries, error_threshold and
// output_file_name apply.
func TestMLflowHonoursSettings(t *testing.T) {
	py := testPython(t, "sklearn", "pandas")
	d := mlflowDeployment(mlflowModel(t, py, signatureModel, signaturePickler, nil), py)
	one, zero := 1, 0
	d.MiniBatchSize, d.MaxRetries, d.ErrorThreshold, d.OutputFileName = 1, &one, &zero, "scores.csv"
	in := filepath.Join(t.TempDir(), "in")
	writeFile(t, filepath.Join(in, "a.csv"), "x,n\n1,0.5\n")
	writeFile(t, filepath.Join(in, "b.json"), "{}")
	writeFile(t, filepath.Join(in, "c.csv"), "x,n\n4,1.5\n")
	res, err, _ := runJob(t, d, newJob(t, in))
	if err == nil || !strings.Contains(err.Error(), "1 items failed, more than settings.error_threshold 0") || !strings.Contains(err.Error(), "File type 'json' is not supported") {
		t.Fatalf("err = %v, want the error threshold exceeded by b.json", err)
	}
	if filepath.Base(res.OutputFile) != "scores.csv" || !slices.Equal(readLines(t, res.OutputFile), []string{"0,low,a.csv"}) {
		t.Errorf("output %s = %q, want a.csv's row in scores.csv", res.OutputFile, readLines(t, res.OutputFile))
	}
	if node := readText(t, filepath.Join(res.LogsDir, "sys", "node", "0", "process000.txt")); !strings.Contains(node, "mini-batch 1, attempt 2 of 2 failed") {
		t.Errorf("node log shows no retry of b.json's mini-batch:\n%s", node)
	}
}
