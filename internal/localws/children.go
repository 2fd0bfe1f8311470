package localws

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/pipeline"
)

// A pipeline job's steps as clients see them: each a CommandJob on the ARM
// jobs route, and the parent's children in run history
// (GET …/runs/{job}/children, what `az ml job list --parent-job-name`
// reads), with their logs in the parent's event stream.

// armJobType is a job's ARM jobType.
func armJobType(j *jobRecord) string {
	if j.JobType == "" {
		return jobTypePipeline
	}
	return j.JobType
}

// armCommandJob renders a command job or a pipeline step as ARM's
// CommandJob.
func (s *Server) armCommandJob(r *http.Request, j *jobRecord) armmachinelearning.JobBase {
	v := s.armJobView(r, j)
	cj := &armmachinelearning.CommandJob{
		JobType:        to.Ptr(armmachinelearning.JobTypeCommand),
		Command:        to.Ptr(j.Command),
		Description:    to.Ptr(j.Description),
		DisplayName:    to.Ptr(j.DisplayName),
		ExperimentName: to.Ptr(j.ExperimentName),
		Status:         to.Ptr(armmachinelearning.JobStatus(j.Status)),
		IsArchived:     to.Ptr(false),
		Tags:           v.tags,
		Properties:     v.props,
		Inputs:         v.inputs,
		Outputs:        v.outputs,
		Services:       v.services,
	}
	if j.EnvironmentID != "" {
		cj.EnvironmentID = to.Ptr(j.EnvironmentID)
	}
	if j.Compute != "" {
		cj.ComputeID = to.Ptr(j.Compute)
	}
	if j.ComponentID != "" {
		cj.ComponentID = to.Ptr(j.ComponentID)
	}
	return s.armJobBase(j, cj)
}

// runSummary is a run as run history lists it (the fields the SDK's
// Run model reads for `job list --parent-job-name`).
type runSummary struct {
	RunID        string            `json:"runId"`
	ParentRunID  string            `json:"parentRunId,omitempty"`
	RootRunID    string            `json:"rootRunId"`
	ExperimentID string            `json:"experimentId"`
	Name         string            `json:"name"`
	DisplayName  string            `json:"displayName"`
	Description  string            `json:"description"`
	Status       string            `json:"status"`
	RunType      string            `json:"runType"`
	Target       string            `json:"target"`
	CreatedUTC   time.Time         `json:"createdUtc"`
	StartTimeUTC *time.Time        `json:"startTimeUtc"`
	EndTimeUTC   *time.Time        `json:"endTimeUtc"`
	Error        *runError         `json:"error"`
	Tags         map[string]string `json:"tags"`
	Properties   map[string]string `json:"properties"`
	CreatedBy    runUser           `json:"createdBy"`
	Compute      runCompute        `json:"compute"`
}

type runUser struct {
	UserName string `json:"userName"`
}

type runCompute struct {
	Target string `json:"target"`
}

func runSummaryOf(j *jobRecord) runSummary {
	target := j.Compute
	if target == "" {
		target = "local"
	}
	r := runSummary{
		RunID: j.Name, ParentRunID: j.Parent, RootRunID: j.Name, ExperimentID: j.ExperimentName,
		Name: j.Name, DisplayName: j.DisplayName, Description: j.Description, Status: j.Status,
		RunType: "azureml.StepRun", Target: target, CreatedUTC: j.CreatedAt, StartTimeUTC: j.StartedAt, EndTimeUTC: j.EndedAt,
		Tags: j.Tags, Properties: j.Properties, CreatedBy: runUser{UserName: localUser}, Compute: runCompute{Target: target},
	}
	if j.Parent != "" {
		r.RootRunID = j.Parent
	}
	if j.Error != nil {
		r.Error = &runError{Error: *j.Error}
	}
	return r
}

// batchScoringStep is the display name of a model deployment job's one
// step: on Azure a batch job is a pipeline run whose step runs the scoring.
const batchScoringStep = "batchscoring"

// isModelJob reports whether j is a model deployment's job: one scoring
// step, no pipeline.
func isModelJob(j *jobRecord) bool {
	return j.Parent == "" && j.DeploymentType == string(armmachinelearning.BatchDeploymentConfigurationTypeModel)
}

// scoringStep is the batchscoring child job of a model deployment's job j,
// "<job>_batchscoring": on Azure a batch job is a pipeline run whose one
// step scores. Locally the job runs as one; the step is a view of it (its
// status, times, outputs and logs), never stored, so `ml job show` and
// `ml job stream` of the name that `ml job list --parent-job-name` lists
// answer as on Azure.
func scoringStep(j *jobRecord) *jobRecord {
	step := *j
	step.Name, step.DisplayName, step.Description = j.Name+"_"+batchScoringStep, batchScoringStep, ""
	step.Parent, step.Step, step.RequestID = j.Name, batchScoringStep, ""
	step.Tags, step.Properties = map[string]string{}, map[string]string{}
	step.viewOf = j.Name
	return &step
}

// childRuns are job j's child runs as run history lists them, oldest
// first: a pipeline job's steps that have started, or the batchscoring
// step of a model deployment's job.
func (s *Server) childRuns(ctx context.Context, j *jobRecord) ([]runSummary, error) {
	if isModelJob(j) {
		step := runSummaryOf(scoringStep(j))
		step.Error = nil // the parent carries the job's error
		return []runSummary{step}, nil
	}
	kids, err := s.childJobs(ctx, j.Name)
	if err != nil {
		return nil, err
	}
	items := make([]runSummary, 0, len(kids))
	for _, k := range kids {
		items = append(items, runSummaryOf(k))
	}
	return items, nil
}

// serveChildren answers GET …/runs/{job}/children (what `az ml job list
// --parent-job-name` reads), paged like run history.
func (s *Server) serveChildren(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	items, err := s.childRuns(r.Context(), j)
	if err != nil {
		writeError(w, err)
		return
	}
	writePage(w, r, items)
}

// followedLog is a log file the events route tails for a job.
type followedLog struct {
	name string // as events show it
	path string // local file
}

// followedLogs are the job's own log files and, for a pipeline job, each
// started step's user_logs/std_log.txt as "<step>/user_logs/std_log.txt",
// so following the pipeline shows its steps' output.
func (s *Server) followedLogs(ctx context.Context, j *jobRecord) ([]followedLog, error) {
	names, err := s.logFiles(j)
	if err != nil {
		return nil, err
	}
	var out []followedLog
	for _, name := range names {
		out = append(out, followedLog{name: name, path: filepath.Join(s.logDir(j), filepath.FromSlash(name))})
	}
	if len(j.Pipeline) == 0 || j.JobType == jobTypeCommand {
		return out, nil
	}
	kids, err := s.childJobs(ctx, j.Name)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		p := filepath.Join(s.jobDir(k.Name), filepath.FromSlash(pipeline.StdLog))
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			out = append(out, followedLog{name: k.Step + "/" + pipeline.StdLog, path: p})
		}
	}
	return out, nil
}
