package batchrun

import (
	"context"
	"time"
)

// Status is a batch job's status, spelled as Azure ML spells it.
type Status string

// A job moves NotStarted → Preparing → Running → Finalizing and ends in
// Completed, Failed or Canceled. A job that cannot start (bad settings, no
// interpreter, no input files) goes from Preparing straight to Failed.
const (
	StatusNotStarted Status = "NotStarted"
	StatusPreparing  Status = "Preparing"
	StatusRunning    Status = "Running"
	StatusFinalizing Status = "Finalizing"
	StatusCompleted  Status = "Completed"
	StatusFailed     Status = "Failed"
	StatusCanceled   Status = "Canceled"
)

// Terminal reports whether s is a final status.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled
}

// Progress is a snapshot of a running job, handed to Run's report callback
// whenever it changes.
type Progress struct {
	Status Status
	// MiniBatchesTotal is how many mini-batches the inputs were cut into.
	MiniBatchesTotal int
	// MiniBatchesSucceeded counts mini-batches whose run() returned.
	MiniBatchesSucceeded int
	// MiniBatchesFailed counts mini-batches that failed every try.
	MiniBatchesFailed int
	// ItemsTotal is how many input files the job has.
	ItemsTotal int
	// ItemsFailed counts failed input files: every file of a failed
	// mini-batch, plus the files a returning run() gave no element for.
	ItemsFailed int
	// RowsWritten counts the lines appended to the output file so far.
	RowsWritten int
	// Workers is how many worker processes the job runs.
	Workers int
	// Message says what is happening, or why the job failed.
	Message string
}

// Result describes a finished job.
type Result struct {
	// Progress is the final snapshot; its Status is terminal.
	Progress
	// OutputFile is the append_row output file; empty for summary_only or
	// when the job failed before creating it.
	OutputFile string
	// LogsDir is <JobDir>/logs, laid out like an Azure batch job's logs.
	LogsDir string
	// StartedAt and EndedAt bound the job's run.
	StartedAt, EndedAt time.Time
}

// JobError is the error Run returns for a job that ended Failed or Canceled.
// For a canceled job it wraps the context's error, so
// errors.Is(err, context.Canceled) holds.
type JobError struct {
	Status  Status
	Message string
	cause   error
}

func (e *JobError) Error() string {
	return "batch job " + string(e.Status) + ": " + e.Message
}

// Unwrap returns the context error of a canceled job, else nil.
func (e *JobError) Unwrap() error { return e.cause }

func canceledError(ctx context.Context, msg string) *JobError {
	return &JobError{Status: StatusCanceled, Message: msg, cause: context.Cause(ctx)}
}
