package localws

import (
	"context"

	"github.com/mlbatch/ml/internal/batchrun"
)

// BatchRunner runs jobs with the local batch runtime (internal/batchrun):
// the deployment's scoring script in Python worker processes on this
// machine. It is the Runner a server uses when Options.Runner is nil.
type BatchRunner struct {
	// Python is the interpreter; empty means $ML_LOCAL_PYTHON, else python3.
	Python string
}

// Run implements Runner.
func (b BatchRunner) Run(ctx context.Context, spec RunSpec, report func(Progress)) (RunResult, error) {
	maxRetries, errorThreshold := spec.MaxRetries, spec.ErrorThreshold
	d := batchrun.Deployment{
		CodeDir:                   spec.CodeDir,
		ScoringScript:             spec.ScoringScript,
		ModelDir:                  spec.ModelDir,
		ModelName:                 spec.ModelName,
		ModelVersion:              spec.ModelVersion,
		ModelType:                 spec.ModelType,
		MiniBatchSize:             spec.MiniBatchSize,
		InstanceCount:             spec.InstanceCount,
		MaxConcurrencyPerInstance: spec.MaxConcurrencyPerInstance,
		MaxRetries:                &maxRetries,
		Timeout:                   spec.Timeout,
		ErrorThreshold:            &errorThreshold,
		OutputAction:              spec.OutputAction,
		OutputFileName:            spec.OutputFileName,
		LoggingLevel:              spec.LoggingLevel,
		EnvironmentVariables:      spec.EnvironmentVariables,
		Python:                    b.Python,
	}
	j := batchrun.Job{Name: spec.JobName, Inputs: spec.Inputs, OutputDir: spec.OutputDir, JobDir: spec.JobDir}
	res, err := batchrun.Run(ctx, d, j, func(p batchrun.Progress) { report(fromBatchProgress(p)) })
	return RunResult{Progress: fromBatchProgress(res.Progress)}, err
}

func fromBatchProgress(p batchrun.Progress) Progress {
	return Progress{
		Status:               string(p.Status),
		MiniBatchesTotal:     p.MiniBatchesTotal,
		MiniBatchesSucceeded: p.MiniBatchesSucceeded,
		MiniBatchesFailed:    p.MiniBatchesFailed,
		ItemsTotal:           p.ItemsTotal,
		ItemsFailed:          p.ItemsFailed,
		RowsWritten:          p.RowsWritten,
		Message:              p.Message,
	}
}
