package localws

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Child jobs, as run history lists them (GET .../runs/{runId}/children,
// what `az ml job list --parent-job-name` calls): on Azure a batch job is
// a pipeline run whose step runs the scoring; the local workspace answers
// with that step for a model deployment's job. A pipeline component
// deployment's job is not run locally (insertJob), so it has no steps.

// batchScoringStep is the display name of a model deployment job's step.
const batchScoringStep = "batchscoring"

// childRun is the part of run history's Run that `az ml job list
// --parent-job-name` reads (the SDK's _BaseJob._load_from_rest).
type childRun struct {
	RunID        string            `json:"runId"`
	ParentRunID  string            `json:"parentRunId"`
	RootRunID    string            `json:"rootRunId"`
	ExperimentID string            `json:"experimentId"`
	DisplayName  string            `json:"displayName"`
	Description  string            `json:"description,omitempty"`
	Status       string            `json:"status"`
	RunType      string            `json:"runType"`
	Target       string            `json:"target"`
	Compute      *runCompute       `json:"compute,omitempty"`
	CreatedUTC   time.Time         `json:"createdUtc"`
	CreatedBy    *runUser          `json:"createdBy,omitempty"`
	CreatedFrom  string            `json:"createdFrom,omitempty"`
	StartTimeUTC *time.Time        `json:"startTimeUtc"`
	EndTimeUTC   *time.Time        `json:"endTimeUtc"`
	Tags         map[string]string `json:"tags"`
	Properties   map[string]string `json:"properties"`
}

type runCompute struct {
	Target string `json:"target"`
}

type runUser struct {
	UserName string `json:"userName"`
}

// childRuns are job j's steps.
func (s *Server) childRuns(r *http.Request, j *jobRecord) []childRun {
	if j.DeploymentType == string(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent) {
		return []childRun{}
	}
	target := j.Compute
	if target == "" {
		target = "local"
	}
	return []childRun{{
		RunID: j.Name + "_" + batchScoringStep, ParentRunID: j.Name, RootRunID: j.Name, ExperimentID: j.ExperimentName,
		DisplayName: batchScoringStep, Status: j.Status, RunType: "azureml.StepRun", Target: target, Compute: &runCompute{Target: target},
		CreatedUTC: j.CreatedAt, CreatedBy: &runUser{UserName: localUser}, CreatedFrom: "User",
		StartTimeUTC: j.StartedAt, EndTimeUTC: j.EndedAt, Tags: map[string]string{}, Properties: map[string]string{},
	}}
}

func (s *Server) serveChildren(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	writePage(w, r, s.childRuns(r, j))
}
