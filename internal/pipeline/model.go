package pipeline

import (
	"strings"
	"time"
)

// Component types, as Azure ML spells them in component YAML.
const (
	TypeCommand  = "command"
	TypeParallel = "parallel"
	TypePipeline = "pipeline"
)

// Component is a decoded command, parallel or pipeline component. Every
// reference in it (code, child components, data) is already resolved to a
// local path or an in-memory value: the engine reads no registry.
type Component struct {
	// Name identifies the component in messages (e.g. "uci_heart_prepare:1").
	Name string `json:"name,omitempty"`
	// Type is TypeCommand, TypeParallel or TypePipeline.
	Type string `json:"type"`
	// Inputs and Outputs are the component's declared ports.
	Inputs  map[string]Port `json:"inputs,omitempty"`
	Outputs map[string]Port `json:"outputs,omitempty"`

	// Command is a command component's command line, with ${{inputs.x}},
	// ${{outputs.y}} and $[[...]] optional blocks.
	Command string `json:"command,omitempty"`
	// CodeDir is the local folder of the component's code (its code:). A
	// step runs in a copy of it; empty means an empty working folder.
	CodeDir string `json:"codeDir,omitempty"`
	// EnvironmentVariables are set for the step's process on top of the
	// caller's environment (a node's own environment_variables win).
	EnvironmentVariables map[string]string `json:"environmentVariables,omitempty"`

	// Parallel is the task of a parallel component.
	Parallel *Parallel `json:"parallel,omitempty"`

	// Jobs are a pipeline component's steps, by step name.
	Jobs map[string]*Step `json:"jobs,omitempty"`
}

// Port is one declared input or output of a component.
type Port struct {
	// Type is a data type (uri_folder, uri_file, mltable, custom_model,
	// mlflow_model, triton_model) or a literal type (string, integer,
	// number, boolean), in any case.
	Type string `json:"type,omitempty"`
	// Optional inputs may be left unset; commands then drop the $[[...]]
	// blocks that use them.
	Optional bool `json:"optional,omitempty"`
	// Default is a literal input's default as the command sees it (see
	// Binding.Literal), nil for none.
	Default *string `json:"default,omitempty"`
	// Mode is the declared delivery mode (ro_mount, download, upload, ...).
	// Locally every mode is a plain path.
	Mode string `json:"mode,omitempty"`
}

// IsLiteral reports whether the port carries a literal value rather than
// data.
func (p Port) IsLiteral() bool { return literalTypes[strings.ToLower(p.Type)] }

var literalTypes = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true}

// Step is one node of a pipeline: a component and what its inputs and
// outputs are bound to.
type Step struct {
	Component *Component `json:"component"`
	// Inputs and Outputs bind the component's ports by name. Ports left out
	// take their defaults (inputs) or Azure's default location (outputs).
	Inputs  map[string]Binding `json:"inputs,omitempty"`
	Outputs map[string]Binding `json:"outputs,omitempty"`
	// EnvironmentVariables are the node's own environment_variables.
	EnvironmentVariables map[string]string `json:"environmentVariables,omitempty"`
}

// Binding is the value of a step input or output, or of a job's input or
// output: one of Ref, Literal and Path.
type Binding struct {
	// Ref is a step's reference to its pipeline: ${{parent.inputs.x}},
	// ${{parent.outputs.y}} or ${{parent.jobs.<step>.outputs.<o>}}.
	Ref string `json:"ref,omitempty"`
	// Literal is a literal input's value as the command sees it, rendered
	// as Azure ML renders literals (Python's str(): True, 0.5, 2.0); the
	// engine only checks that it parses as the port's type.
	Literal *string `json:"literal,omitempty"`
	// Path is a local file or folder (data inputs) or a local folder
	// (outputs).
	Path string `json:"path,omitempty"`
	// Type and Mode are what the binding declares (e.g. uri_folder,
	// ro_mount); empty takes the port's.
	Type string `json:"type,omitempty"`
	Mode string `json:"mode,omitempty"`
}

// IsZero reports whether b binds nothing.
func (b Binding) IsZero() bool { return b.Ref == "" && b.Literal == nil && b.Path == "" }

// Lit returns a pointer to v, for Binding.Literal and Port.Default.
func Lit(v string) *string { return &v }

// Parallel is the task of a parallel component: a scoring script run by the
// batch runtime (internal/batchrun) over mini-batches of the input files.
type Parallel struct {
	// InputData names the input whose files are cut into mini-batches,
	// as ${{inputs.x}}.
	InputData string `json:"inputData,omitempty"`
	// EntryScript is task.entry_script, a path inside the component's
	// CodeDir.
	EntryScript string `json:"entryScript,omitempty"`
	// ProgramArguments is task.program_arguments. Only "" is supported.
	ProgramArguments string `json:"programArguments,omitempty"`
	// AppendRowTo is task.append_row_to (${{outputs.y}}): the output that
	// receives the rows run() returns; empty means summary_only.
	AppendRowTo string `json:"appendRowTo,omitempty"`
	// OutputFileName is the append_row file's name; empty means
	// parallel_run_step.txt, as on Azure.
	OutputFileName string `json:"outputFileName,omitempty"`

	MiniBatchSize             int `json:"miniBatchSize,omitempty"`
	InstanceCount             int `json:"instanceCount,omitempty"`
	MaxConcurrencyPerInstance int `json:"maxConcurrencyPerInstance,omitempty"`
	// MaxRetries and ErrorThreshold are nil for the runtime's defaults.
	MaxRetries     *int          `json:"maxRetries,omitempty"`
	Timeout        time.Duration `json:"timeout,omitempty"`
	ErrorThreshold *int          `json:"errorThreshold,omitempty"`
	LoggingLevel   string        `json:"loggingLevel,omitempty"`
}

// DefaultParallelOutputFileName is Azure's append_row file of a parallel
// step.
const DefaultParallelOutputFileName = "parallel_run_step.txt"

// Job is one run of a component: a pipeline job, a command job, or the job of
// a pipeline component deployment.
type Job struct {
	// Name is the job's name; a step's child job is named after it (see
	// Options.StepJobName).
	Name string
	// Component is what runs. A pipeline component runs its steps as child
	// jobs; a command or parallel component runs as the job itself.
	Component *Component
	// Inputs are the values of the component's inputs: literals in Value,
	// data as local paths in Path. Inputs left out take their defaults.
	Inputs map[string]Binding
	// Outputs place the component's outputs: Path is a local folder. Outputs
	// left out go to Options.OutputDir(Name, output).
	Outputs map[string]Binding
	// ContinueOnStepFailure keeps independent steps running after a step
	// fails (settings.continue_on_step_failure); the pipeline still fails.
	ContinueOnStepFailure bool
}

// Status is a step's or a job's status, spelled as Azure ML spells job
// statuses. Skipped marks a step that never ran.
type Status string

const (
	StatusNotStarted Status = "NotStarted"
	StatusRunning    Status = "Running"
	StatusCompleted  Status = "Completed"
	StatusFailed     Status = "Failed"
	StatusCanceled   Status = "Canceled"
	StatusSkipped    Status = "Skipped"
)

// Terminal reports whether s is final.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled || s == StatusSkipped
}

// Value is a resolved input of a step: a literal or a local path.
type Value struct {
	Type string `json:"type"`
	// Literal is the rendered literal, as the command sees it.
	Literal string `json:"value,omitempty"`
	// Path is the local file or folder of a data input.
	Path string `json:"path,omitempty"`
	Mode string `json:"mode,omitempty"`
}

// StepRun describes one step of a job: what it runs with and how it went.
type StepRun struct {
	// Path names the step in the pipeline; nested pipelines' steps are
	// "outer.inner". A job that is a single command has the path "".
	Path string `json:"path"`
	// Job is the child job's name (the job itself for a single command).
	Job       string `json:"job"`
	Type      string `json:"type"`
	Component string `json:"component"`
	Status    Status `json:"status"`
	// Command is the command line as run, references substituted.
	Command string           `json:"command,omitempty"`
	Inputs  map[string]Value `json:"inputs"`
	// Outputs are the local folders of the step's outputs.
	Outputs map[string]string `json:"outputs"`
	// OutputTypes are the outputs' types (uri_folder, mlflow_model, ...):
	// the node's binding's, else the component's.
	OutputTypes map[string]string `json:"outputTypes,omitempty"`
	// DependsOn lists the paths of the steps whose outputs this one reads.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Dir is the child job's folder (Options.JobDir(Job)).
	Dir       string    `json:"dir"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	// ExitCode is a finished command's exit code (-1 when it was killed).
	ExitCode int `json:"exitCode"`
	// Error says why the step failed, was canceled or was skipped.
	Error string `json:"error,omitempty"`
}

// Result describes a finished job.
type Result struct {
	Status Status
	// Steps are every step of the job, in plan order.
	Steps []StepRun
	// Outputs are the local folders of the job's named outputs.
	Outputs map[string]string
	// Error says why the job failed or was canceled.
	Error              string
	StartedAt, EndedAt time.Time
}
