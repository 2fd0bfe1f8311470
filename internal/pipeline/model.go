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
	Name string
	// Type is TypeCommand, TypeParallel or TypePipeline.
	Type string
	// Inputs and Outputs are the component's declared ports.
	Inputs  map[string]Port
	Outputs map[string]Port

	// Command is a command component's command line, with ${{inputs.x}},
	// ${{outputs.y}} and $[[...]] optional blocks.
	Command string
	// CodeDir is the local folder of the component's code (its code:). A
	// step runs in a copy of it; empty means an empty working folder.
	CodeDir string
	// EnvironmentVariables are set for the step's process on top of the
	// caller's environment (a node's own environment_variables win).
	EnvironmentVariables map[string]string

	// Parallel is the task of a parallel component.
	Parallel *Parallel

	// Jobs are a pipeline component's steps, by step name.
	Jobs map[string]*Step
}

// Port is one declared input or output of a component.
type Port struct {
	// Type is a data type (uri_folder, uri_file, mltable, custom_model,
	// mlflow_model, triton_model) or a literal type (string, integer,
	// number, boolean), in any case.
	Type string
	// Optional inputs may be left unset; commands then drop the $[[...]]
	// blocks that use them.
	Optional bool
	// Default is a literal input's default as decoded from YAML or JSON
	// (string, bool, int, float64, json.Number), or nil.
	Default any
	// Mode is the declared delivery mode (ro_mount, download, upload, ...).
	// Locally every mode is a plain path.
	Mode string
}

// IsLiteral reports whether the port carries a literal value rather than
// data.
func (p Port) IsLiteral() bool { return literalTypes[strings.ToLower(p.Type)] }

var literalTypes = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true}

// Step is one node of a pipeline: a component and what its inputs and
// outputs are bound to.
type Step struct {
	Component *Component
	// Inputs and Outputs bind the component's ports by name. Ports left out
	// take their defaults (inputs) or Azure's default location (outputs).
	Inputs  map[string]Binding
	Outputs map[string]Binding
	// EnvironmentVariables are the node's own environment_variables.
	EnvironmentVariables map[string]string
}

// Binding is the value of a step input or output, or of a job's input or
// output.
//
// For a step, Value or Path may be a reference to the enclosing pipeline:
// ${{parent.inputs.x}}, ${{parent.outputs.y}} or
// ${{parent.jobs.<step>.outputs.<o>}}. Otherwise Value is a literal (string,
// bool, int, float64, json.Number) and Path a local file or folder (data
// inputs) or a local folder (outputs).
type Binding struct {
	Value any
	Path  string
	// Type and Mode are what the binding declares (e.g. uri_folder,
	// ro_mount); empty takes the port's.
	Type string
	Mode string
}

// IsZero reports whether b binds nothing.
func (b Binding) IsZero() bool { return b.Value == nil && b.Path == "" }

// Parallel is the task of a parallel component: a scoring script run by the
// batch runtime (internal/batchrun) over mini-batches of the input files.
type Parallel struct {
	// InputData names the input whose files are cut into mini-batches,
	// as ${{inputs.x}}.
	InputData string
	// EntryScript is task.entry_script, a path inside the component's
	// CodeDir.
	EntryScript string
	// ProgramArguments is task.program_arguments. Only "" is supported.
	ProgramArguments string
	// AppendRowTo is task.append_row_to (${{outputs.y}}): the output that
	// receives the rows run() returns; empty means summary_only.
	AppendRowTo string
	// OutputFileName is the append_row file's name; empty means
	// parallel_run_step.txt, as on Azure.
	OutputFileName string

	MiniBatchSize             int
	InstanceCount             int
	MaxConcurrencyPerInstance int
	// MaxRetries and ErrorThreshold are nil for the runtime's defaults.
	MaxRetries     *int
	Timeout        time.Duration
	ErrorThreshold *int
	LoggingLevel   string
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
