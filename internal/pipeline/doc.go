// Package pipeline is ml's pipeline engine: it runs an Azure ML pipeline
// (or a single command or parallel component) on this machine, the way an
// Azure ML pipeline job runs, with no HTTP. The local workspace server
// (internal/localws) decodes components and jobs, resolves their references
// to local paths and calls Run; tests call it directly.
//
// # What a job is
//
// A Job is a Component (command, parallel or pipeline, see model.go) with
// values for its inputs and folders for its outputs. A pipeline's steps
// bind their component's ports to
//
//	${{parent.inputs.x}}                  the pipeline's input x
//	${{parent.outputs.y}}                 (outputs) the pipeline's output y
//	${{parent.jobs.<step>.outputs.<o>}}   another step's output o
//	a literal                             its text, for string, number, integer and boolean ports
//	a local path                          data
//
// and ports left unbound take the component's default (literals), stay
// unset (optional inputs) or get Azure's default output location, the
// folder Options.OutputDir gives for azureml/<child job>/<output>/. Nested
// pipeline steps are expanded into their steps; their inputs and outputs
// are followed through.
//
// # Commands
//
// ${{inputs.x}} becomes the literal as the caller rendered it (as Azure
// does: Python's str(), True, 0.5, 2.0; the engine checks it parses as the
// port's type) or the input's local path; ${{outputs.y}} the output's
// folder, created before the step starts. A data input delivered ro_mount
// (the default) or download is a read-only tree of its source in the
// step's job folder, inputs/<x> (inputs/<x>/<file> for a uri_file), built
// when the step starts and removed when it ends (package rotree: hard
// links where permission bits keep the source safe, copies otherwise), so
// a step cannot change a registered asset or another step's output; an
// rw_mount or direct input is the source's own path.
// A $[[...]] block is kept without its brackets when every input in it is
// set and dropped when one is an unset optional input, as on Azure. The
// command runs with bash (sh where there is none) in a copy of the
// component's code folder, in its own process group, with the local Python
// first on PATH as python and python3 (Options.Python, else
// $ML_LOCAL_PYTHON, else python3 on PATH), AZUREML_RUN_ID,
// AZURE_ML_INPUT_<x> and AZURE_ML_OUTPUT_<y> set, and the component's and
// the node's environment_variables on top. Its stdout and stderr go to
// user_logs/std_log.txt in the step's job folder (Options.JobDir); a
// non-zero exit fails the step with Azure's "Execution failed. User process
// ... exited with status code N" and the end of that log.
//
// Parallel steps run their entry script through internal/batchrun
// (mini-batches, retries, timeouts, error threshold, append_row_to).
//
// # Order and failure
//
// Steps start when the steps whose outputs they read have completed, at
// most Options.MaxParallel at once; steps that do not depend on each other
// run at the same time. Each step is a child job with its own name
// (Options.StepJobName), folder, status and start and end times, reported
// through Options.OnStep; Options.AfterStep runs on a step's own goroutine
// when its process ends (the local workspace publishes outputs there), and
// its error fails the step. A failed step fails the pipeline: running steps
// are canceled and the rest never start, unless ContinueOnStepFailure, where
// only the steps that depend on the failed one are skipped. The pipeline's
// own log, logs/azureml/executionlogs.txt, has a line per step status
// change. Canceling Run's context kills every running step's process group.
//
// Everything that can be checked before running is checked by planning
// (Validate): unknown ports and steps, missing required inputs, literal and
// data mismatches, cycles, commands that use undeclared or unset inputs,
// pipeline outputs no step writes.
package pipeline
