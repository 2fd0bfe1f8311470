package localws

import (
	"context"
	"time"
)

// Runner runs one batch job to completion. The server calls Run on a
// background goroutine, at most Options.MaxConcurrentJobs at a time.
//
// report may be called any number of times, from any one goroutine at a
// time, with the job's current progress; the server persists each call as
// an event. Run returns when the job has ended: a nil error means the job
// Completed; an error fails it with the error's text as the reason (so it
// must name what went wrong and never carry a secret). When ctx is
// canceled (the job was canceled, or the server is stopping) Run should
// stop its workers and return promptly; the server then records the job as
// Canceled or Failed itself.
type Runner interface {
	Run(ctx context.Context, spec RunSpec, report func(Progress)) (RunResult, error)
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, spec RunSpec, report func(Progress)) (RunResult, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, spec RunSpec, report func(Progress)) (RunResult, error) {
	return f(ctx, spec, report)
}

// RunSpec is everything a Runner needs for one job of a model deployment,
// with every reference already resolved to a local path and every setting
// to its effective value (deployment settings overridden by the job's).
type RunSpec struct {
	// JobName, Endpoint and Deployment identify the job.
	JobName    string
	Endpoint   string
	Deployment string

	// CodeDir is the local folder of the deployment's code version and
	// ScoringScript the script's path inside it (slash-separated). Both are
	// empty for an MLflow model deployed without code.
	CodeDir       string
	ScoringScript string
	// ModelDir is the local file or folder of the model version; ModelName
	// and ModelVersion name it. Its files are read-only.
	ModelDir     string
	ModelName    string
	ModelVersion string
	// ModelType is the model version's modelType (custom_model,
	// mlflow_model, ...); an mlflow_model without CodeDir is scored by the
	// runtime's built-in MLflow scoring script.
	ModelType string
	// EnvironmentVariables are the deployment's environment_variables.
	EnvironmentVariables map[string]string

	// Inputs are the local files or folders of the job's input.
	Inputs []string
	// OutputDir receives OutputFileName (and anything the script writes to
	// AZUREML_BI_OUTPUT_PATH). It lies on the workspace's datastore, so
	// clients download results through the blob API.
	OutputDir      string
	OutputFileName string
	// OutputAction is "AppendRow" or "SummaryOnly".
	OutputAction string
	// JobDir is the job's private folder; logs go to JobDir/logs.
	JobDir string

	MiniBatchSize             int
	InstanceCount             int
	MaxConcurrencyPerInstance int
	// ErrorThreshold is the number of failed items tolerated; -1 means any.
	ErrorThreshold int
	MaxRetries     int
	// Timeout bounds one run(mini_batch) call.
	Timeout time.Duration
	// LoggingLevel is "Info", "Warning" or "Debug".
	LoggingLevel string
}

// Progress is a snapshot of a running job, as a Runner reports it.
type Progress struct {
	// Status is the runtime's view: Preparing, Running or Finalizing ("" for
	// no change). Terminal statuses are decided by Run's return.
	Status string `json:"status,omitempty"`
	// MiniBatchesTotal is how many mini-batches the inputs were cut into.
	MiniBatchesTotal int `json:"miniBatchesTotal"`
	// MiniBatchesSucceeded and MiniBatchesFailed count finished mini-batches.
	MiniBatchesSucceeded int `json:"miniBatchesSucceeded"`
	MiniBatchesFailed    int `json:"miniBatchesFailed"`
	// ItemsTotal counts input files; ItemsFailed those that failed.
	ItemsTotal  int `json:"itemsTotal"`
	ItemsFailed int `json:"itemsFailed"`
	// RowsWritten counts lines appended to the output file.
	RowsWritten int `json:"rowsWritten"`
	// Message says what is happening, or why the job failed.
	Message string `json:"message,omitempty"`
}

// RunResult is a finished job's final progress.
type RunResult struct {
	Progress Progress
}
