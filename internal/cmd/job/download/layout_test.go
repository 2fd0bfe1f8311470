package download

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
)

func TestIsModelBatchJob(t *testing.T) {
	tests := []struct {
		tags map[string]string
		want bool
	}{
		{map[string]string{"azureml.batchrun": "true", "azureml.jobtype": "azureml.batchjob"}, true},
		{map[string]string{"azureml.batchrun": "true"}, true},
		{map[string]string{"azureml.batchrun": "true", "azureml.jobtype": "azureml.pipelinejob"}, false},
		{map[string]string{}, false},
	}
	for _, tt := range tests {
		if got := isModelBatchJob(tt.tags); got != tt.want {
			t.Errorf("isModelBatchJob(%v) = %v, want %v", tt.tags, got, tt.want)
		}
	}
}

// TestPlanTargets checks az's layout: a model job's output straight into
// the download path, other jobs' outputs under named-outputs/<name>.
func TestPlanTargets(t *testing.T) {
	score := azml.JobOutput{Name: "score", Datastore: "workspaceblobstore", Path: "azureml/j/score/", File: "predictions.csv"}
	metrics := azml.JobOutput{Name: "metrics", Path: "azureml/j/metrics/"}
	root := filepath.Join("out", "run1")
	tests := []struct {
		name       string
		modelBatch bool
		outs       []azml.JobOutput
		outputName string
		want       []target
		wantErr    string
		usage      bool
	}{
		{"model job into the root", true, []azml.JobOutput{score}, "", []target{{score, root}}, "", false},
		{"model job, output named", true, []azml.JobOutput{score}, "score", []target{{score, root}}, "", false},
		{"pipeline job, every output", false, []azml.JobOutput{score, metrics}, "", []target{
			{score, filepath.Join(root, "named-outputs", "score")},
			{metrics, filepath.Join(root, "named-outputs", "metrics")},
		}, "", false},
		{"pipeline job, one output", false, []azml.JobOutput{score, metrics}, "metrics", []target{
			{metrics, filepath.Join(root, "named-outputs", "metrics")},
		}, "", false},
		{"default artifacts into artifacts/, as az's --all", false, []azml.JobOutput{{Name: "default", Path: "ExperimentRun/dcid.j/"}, metrics}, "", []target{
			{azml.JobOutput{Name: "default", Path: "ExperimentRun/dcid.j/"}, filepath.Join(root, "artifacts")},
			{metrics, filepath.Join(root, "named-outputs", "metrics")},
		}, "", false},
		{"unknown output lists the real ones", false, []azml.JobOutput{score, metrics}, "nope", nil, "its outputs are: metrics, score", true},
		{"no outputs", true, nil, "", nil, "has no outputs", false},
		{"output name that escapes", false, []azml.JobOutput{{Name: "../x"}}, "", nil, "cannot be a folder name", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := planTargets("j", tt.modelBatch, tt.outs, root, tt.outputName)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if clierr.IsUsage(err) != tt.usage {
					t.Errorf("usage error = %v, want %v", clierr.IsUsage(err), tt.usage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("targets = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestReusedJob: a job the service reused names the job to download from
// in the properties azure-ai-ml reads.
func TestReusedJob(t *testing.T) {
	job := func(props map[string]*string) *armmachinelearning.JobBase {
		return &armmachinelearning.JobBase{Properties: &armmachinelearning.PipelineJob{Properties: props}}
	}
	tests := []struct {
		j    *armmachinelearning.JobBase
		want string
	}{
		{job(map[string]*string{"azureml.isreused": to.Ptr("true"), "azureml.reusedrunid": to.Ptr("earlier")}), "earlier"},
		{job(map[string]*string{"azureml.isreused": to.Ptr("false"), "azureml.reusedrunid": to.Ptr("earlier")}), ""},
		{job(map[string]*string{"azureml.isreused": to.Ptr("true")}), ""},
		{job(nil), ""},
		{&armmachinelearning.JobBase{}, ""},
	}
	for i, tt := range tests {
		if got := reusedJob(tt.j); got != tt.want {
			t.Errorf("%d: reusedJob = %q, want %q", i, got, tt.want)
		}
	}
}
