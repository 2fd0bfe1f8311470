package localws

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// Job statuses, spelled as ARM's JobStatus.
const (
	statusNotStarted      = "NotStarted"
	statusQueued          = "Queued"
	statusPreparing       = "Preparing"
	statusRunning         = "Running"
	statusFinalizing      = "Finalizing"
	statusCancelRequested = "CancelRequested"
	statusCompleted       = "Completed"
	statusFailed          = "Failed"
	statusCanceled        = "Canceled"
)

func isTerminal(status string) bool {
	return status == statusCompleted || status == statusFailed || status == statusCanceled
}

// stopReason is the failure reason of a job the server stopped under.
const stopReason = "the local workspace stopped while the job was running"

// jobRecord is everything the server keeps about a job. It is stored as
// JSON; field names are part of the on-disk format, so only add fields.
type jobRecord struct {
	Name           string `json:"name"`
	Endpoint       string `json:"endpoint"`
	Deployment     string `json:"deployment"`
	DeploymentType string `json:"deploymentType"` // "Model" or "PipelineComponent"
	RequestID      string `json:"requestId,omitempty"`
	Status         string `json:"status"`
	DisplayName    string `json:"displayName"`
	ExperimentName string `json:"experimentName"`
	Description    string `json:"description"`

	CreatedAt time.Time  `json:"createdAt"`
	StartedAt *time.Time `json:"startedAt,omitempty"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`

	// InputData and OutputData echo the request, as the 201 showed them.
	InputData  map[string]mlapi.JobInput  `json:"inputData,omitempty"`
	OutputData map[string]mlapi.JobOutput `json:"outputData,omitempty"`
	// Inputs and Outputs are the resolved locations.
	Inputs  []jobInput  `json:"inputs,omitempty"`
	Outputs []jobOutput `json:"outputs,omitempty"`

	Settings jobSettings `json:"settings"`

	// Snapshot of the deployment at submission (datastore paths resolved).
	CodeID               string            `json:"codeId,omitempty"`
	CodePath             string            `json:"codePath,omitempty"`
	ScoringScript        string            `json:"scoringScript,omitempty"`
	ModelID              string            `json:"modelId,omitempty"`
	ModelName            string            `json:"modelName,omitempty"`
	ModelVersion         string            `json:"modelVersion,omitempty"`
	ModelType            string            `json:"modelType,omitempty"`
	ModelPath            string            `json:"modelPath,omitempty"`
	EnvironmentID        string            `json:"environmentId,omitempty"`
	EnvironmentVariables map[string]string `json:"environmentVariables,omitempty"`
	Compute              string            `json:"compute,omitempty"`

	Progress Progress  `json:"progress"`
	Error    *jobError `json:"error,omitempty"`

	Tags       map[string]string `json:"tags,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`

	// Response is the 201 body, replayed for a repeated
	// repeatability_request-id.
	Response json.RawMessage `json:"response,omitempty"`

	// Pipeline and command jobs (pipelinejobs.go): the ARM job type
	// ("Pipeline" when empty, or "Command"), the resolved component the
	// engine runs (internal/pipeline's model, with datastore paths), the
	// component's id, continue_on_step_failure, and for a command job or
	// step the command as run.
	JobType               string          `json:"jobType,omitempty"`
	Pipeline              json.RawMessage `json:"pipeline,omitempty"`
	ComponentID           string          `json:"componentId,omitempty"`
	ContinueOnStepFailure bool            `json:"continueOnStepFailure,omitempty"`
	Command               string          `json:"command,omitempty"`
	// Parent and Step place a step's child job: its pipeline job and its
	// path in the pipeline ("prep", "inner.train").
	Parent string `json:"parent,omitempty"`
	Step   string `json:"step,omitempty"`

	// viewOf is set on the batchscoring step of a model deployment's job
	// (scoringStep), which is never stored: it names the stored job whose
	// logs and events are the step's.
	viewOf string
}

// storedName is the name of the stored job j is, or is a view of.
func (j *jobRecord) storedName() string {
	if j.viewOf != "" {
		return j.viewOf
	}
	return j.Name
}

// logDir is the folder that holds j's logs.
func (s *Server) logDir(j *jobRecord) string {
	return s.jobDir(j.storedName())
}

// jobInput is one resolved input.
type jobInput struct {
	Name string `json:"name"`
	// Type is the snake_case type: uri_folder, uri_file, or a literal type.
	Type string `json:"type"`
	URI  string `json:"uri,omitempty"`
	// Datastore is the datastore of a data input created with ml datastore
	// create, "" for workspaceblobstore.
	Datastore string `json:"datastore,omitempty"`
	// Path is the datastore path of a data input.
	Path    string `json:"path,omitempty"`
	AssetID string `json:"assetId,omitempty"`
	Value   string `json:"value,omitempty"`
}

// jobOutput is where one output goes: Folder on the datastore, and for a
// model deployment's output the file written into it.
type jobOutput struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	URI      string `json:"uri,omitempty"`
	Folder   string `json:"folder"`
	FileName string `json:"fileName,omitempty"`
}

// jobSettings are the effective batch settings of a job.
type jobSettings struct {
	MiniBatchSize             int64  `json:"miniBatchSize"`
	InstanceCount             int64  `json:"instanceCount"`
	MaxConcurrencyPerInstance int64  `json:"maxConcurrencyPerInstance"`
	ErrorThreshold            int64  `json:"errorThreshold"`
	MaxRetries                int64  `json:"maxRetries"`
	TimeoutSeconds            int64  `json:"timeoutSeconds"`
	OutputFileName            string `json:"outputFileName"`
	OutputAction              string `json:"outputAction"`
	LoggingLevel              string `json:"loggingLevel"`
}

type jobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jobEvent is one entry of a job's event stream. Status and progress
// events are stored; log events are read from the job's log files when a
// client asks (see serveEvents).
type jobEvent struct {
	Seq      int64     `json:"seq,omitempty"`
	Time     time.Time `json:"time"`
	Type     string    `json:"type"` // "status", "progress" or "log"
	Status   string    `json:"status,omitempty"`
	Message  string    `json:"message,omitempty"`
	Progress *Progress `json:"progress,omitempty"`
	// Log events: the file (relative to the job's logs folder), the byte
	// offset of the line in it, and the line without its newline.
	File   string `json:"file,omitempty"`
	Offset *int64 `json:"offset,omitempty"`
	Line   string `json:"line,omitempty"`
}

// mutateJob applies fn to the stored job under jobMu, so concurrent
// updates (progress reports, cancel, completion) never lose each other's
// writes. fn returns false to leave the job unchanged.
func (s *Server) mutateJob(ctx context.Context, name string, fn func(j *jobRecord) bool) (*jobRecord, error) {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	j, err := s.store.GetJob(ctx, name)
	if err != nil {
		return nil, err
	}
	if !fn(j) {
		return j, nil
	}
	if err := s.store.UpdateJob(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

// setJobStatus moves a job to status unless it has already ended, and
// records the change as an event.
func (s *Server) setJobStatus(ctx context.Context, name, status, message string) (*jobRecord, error) {
	changed := false
	j, err := s.mutateJob(ctx, name, func(j *jobRecord) bool {
		if isTerminal(j.Status) {
			return false
		}
		stamp := status == statusPreparing && j.StartedAt == nil
		if j.Status == status && !stamp {
			return false
		}
		if stamp {
			// A job is "started" when it gets a slot: Preparing is the
			// runtime's first step.
			now := time.Now().UTC()
			j.StartedAt = &now
		}
		changed = j.Status != status
		j.Status = status
		return true
	})
	if err != nil || !changed {
		return j, err
	}
	s.recordEvent(ctx, name, jobEvent{Type: "status", Status: status, Message: message})
	return j, nil
}

// finishJob ends a job (unless it already ended) with status and reason.
func (s *Server) finishJob(ctx context.Context, name, status string, final *Progress, reason *jobError) (*jobRecord, error) {
	changed := false
	j, err := s.mutateJob(ctx, name, func(j *jobRecord) bool {
		if isTerminal(j.Status) {
			return false
		}
		now := time.Now().UTC()
		j.Status, j.EndedAt, j.Error = status, &now, reason
		if final != nil {
			j.Progress = *final
			j.Progress.Status = ""
		}
		changed = true
		return true
	})
	if err != nil || !changed {
		return j, err
	}
	msg := ""
	if reason != nil {
		msg = reason.Message
	}
	s.recordEvent(ctx, name, jobEvent{Type: "status", Status: status, Message: msg})
	s.log.Info("job ended", "job", name, "status", status)
	return j, nil
}

// recordEvent stores e and wakes clients waiting on the job's events.
func (s *Server) recordEvent(ctx context.Context, job string, e jobEvent) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if _, err := s.store.AppendEvent(ctx, job, e); err != nil {
		s.log.Warn("store job event", "job", job, "err", err)
	}
	s.events.notify(job)
}

// jobNotifier wakes long-polling event readers when a job changes.
type jobNotifier struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func newJobNotifier() *jobNotifier { return &jobNotifier{ch: map[string]chan struct{}{}} }

// wait returns a channel closed at the job's next change.
func (n *jobNotifier) wait(job string) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.ch[job]
	if !ok {
		c = make(chan struct{})
		n.ch[job] = c
	}
	return c
}

func (n *jobNotifier) notify(job string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if c, ok := n.ch[job]; ok {
		close(c)
		delete(n.ch, job)
	}
}
