package batchrun

import (
	"time"
)

// Azure's defaults for a model batch deployment (BatchDeploymentProperties).
const (
	DefaultMiniBatchSize             = 10
	DefaultInstanceCount             = 1
	DefaultMaxConcurrencyPerInstance = 1
	DefaultMaxRetries                = 3
	DefaultTimeout                   = 30 * time.Second
	DefaultErrorThreshold            = -1
	DefaultOutputFileName            = "predictions.csv"
	DefaultLoggingLevel              = "Info"
	DefaultModelVersion              = "1"
	// DefaultStartupTimeout bounds how long a worker may take to import the
	// scoring script and finish init(). Azure has no such setting; a local
	// runtime needs one so a stuck init() fails the job instead of hanging it.
	DefaultStartupTimeout = 10 * time.Minute
	// DefaultPython is the interpreter looked up on PATH when neither
	// Deployment.Python nor the ML_LOCAL_PYTHON environment variable is set.
	DefaultPython = "python3"
)

// Output actions of a batch deployment (settings.output_action).
const (
	OutputAppendRow   = "append_row"
	OutputSummaryOnly = "summary_only"
)

// PythonEnvVar names the environment variable that chooses the interpreter
// when Deployment.Python is empty.
const PythonEnvVar = "ML_LOCAL_PYTHON"

// ModelTypeMLflow is the model type of an MLflow model (a folder with an
// MLmodel file), the one model type Azure deploys without a scoring script.
const ModelTypeMLflow = "mlflow_model"

// Deployment is what a job needs from a model batch deployment: its code,
// model and settings. Every zero value means Azure's default, so
// Deployment{CodeDir: c, ScoringScript: s} is a valid deployment, and so is
// Deployment{ModelDir: m, ModelType: ModelTypeMLflow} (no-code MLflow).
type Deployment struct {
	// CodeDir is the local folder of code_configuration.code. Required,
	// except for an MLflow model deployed without code.
	CodeDir string
	// ScoringScript is code_configuration.scoring_script, a path relative to
	// CodeDir. Required when CodeDir is set.
	ScoringScript string

	// ModelDir is the registered model's local folder (or file). Empty means a
	// deployment without a model: AZUREML_MODEL_DIR is then an empty folder.
	// Its files are never changed: AZUREML_MODEL_DIR holds hard links to the
	// read-only ones and read-only copies of the others (see the package doc).
	ModelDir string
	// ModelType is the registered model's type: custom_model (the default),
	// mlflow_model or triton_model, in any case. An mlflow_model without
	// CodeDir and ScoringScript is scored by the runtime's built-in MLflow
	// scoring script, as Azure scores a no-code MLflow deployment.
	ModelType string
	// ModelName is the registered model's name; it names AZUREML_MODEL_DIR's
	// parent folder. Empty means "model".
	ModelName string
	// ModelVersion is the registered model's version, the last element of
	// AZUREML_MODEL_DIR. Empty means DefaultModelVersion ("1").
	ModelVersion string

	// MiniBatchSize is settings.mini_batch_size: files per mini-batch.
	// Zero means 10.
	MiniBatchSize int
	// InstanceCount is resources.instance_count. Zero means 1.
	InstanceCount int
	// MaxConcurrencyPerInstance is settings.max_concurrency_per_instance.
	// Zero means 1. The job runs InstanceCount × MaxConcurrencyPerInstance
	// workers.
	MaxConcurrencyPerInstance int

	// MaxRetries is settings.retry_settings.max_retries: how many more times
	// a failed or timed-out mini-batch is tried. Nil means 3; point at 0 for a
	// single try.
	MaxRetries *int
	// Timeout is settings.retry_settings.timeout: how long one run() call may
	// take before its worker is killed. Zero means 30s.
	Timeout time.Duration

	// ErrorThreshold is settings.error_threshold: how many failed items
	// (files) the job tolerates; -1 tolerates any number. Nil means -1; point
	// at 0 to fail the job on the first failed item.
	ErrorThreshold *int

	// OutputAction is settings.output_action: "append_row" or "summary_only"
	// (the REST spellings AppendRow and SummaryOnly are accepted too). Empty
	// means append_row.
	OutputAction string
	// OutputFileName is settings.output_file_name, a plain file name inside
	// the job's OutputDir. Empty means predictions.csv.
	OutputFileName string
	// LoggingLevel is settings.logging_level: Info, Warning or Debug, in any
	// case. Empty means Info.
	LoggingLevel string

	// EnvironmentVariables are the deployment's environment_variables, set for
	// every worker on top of the caller's environment. Nil means none.
	EnvironmentVariables map[string]string

	// Python is the interpreter that runs the workers. Empty means the
	// ML_LOCAL_PYTHON environment variable, else python3 on PATH.
	Python string
	// StartupTimeout bounds importing the scoring script plus init() in one
	// worker. Zero means 10 minutes.
	StartupTimeout time.Duration
}

// Job is one invocation of a deployment.
type Job struct {
	// Name identifies the job in logs. Empty means "batchjob".
	Name string
	// Inputs are local files or folders; a folder contributes every file
	// under it, recursively. At least one is required.
	Inputs []string
	// OutputDir receives the append_row output file and is the scripts'
	// AZUREML_BI_OUTPUT_PATH. It is created when missing. Required.
	OutputDir string
	// JobDir receives the logs, the worker driver and AZUREML_MODEL_DIR. It
	// is created when missing. Required.
	JobDir string
}
