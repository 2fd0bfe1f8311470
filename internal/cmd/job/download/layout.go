package download

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
)

// namedOutputsDir is where az puts a named output: <download-path>/named-outputs/<name>.
const namedOutputsDir = "named-outputs"

// artifactsDir is where az puts a job's default artifacts (its logs and
// outputs folder, the output named azml.DefaultArtifactsOutput), which
// --all adds on Azure: <download-path>/artifacts.
const artifactsDir = "artifacts"

// target is one output to download and the folder it goes to.
type target struct {
	Output azml.JobOutput
	Dir    string
}

// isModelBatchJob reports whether tags mark the job of a model deployment,
// the test azure-ai-ml applies: a batch run that is not a pipeline job.
func isModelBatchJob(tags map[string]string) bool {
	return tags["azureml.batchrun"] == "true" && tags["azureml.jobtype"] != "azureml.pipelinejob"
}

// planTargets picks the outputs to download and where each goes, with az's
// layout: a model deployment's job has one output (score), downloaded
// straight into root; any other job's outputs go to
// root/named-outputs/<name>. outputName selects one output (an unknown name
// is a usage error listing the real ones); otherwise every output is
// downloaded.
func planTargets(job string, modelBatch bool, outs []azml.JobOutput, root, outputName string) ([]target, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("job %s has no outputs to download", job)
	}
	selected := outs
	if outputName != "" {
		selected = nil
		for _, o := range outs {
			if o.Name == outputName {
				selected = append(selected, o)
			}
		}
		if len(selected) == 0 {
			names := make([]string, 0, len(outs))
			for _, o := range outs {
				names = append(names, o.Name)
			}
			sort.Strings(names)
			return nil, clierr.Usagef("--output-name %s: job %s has no output of that name; its outputs are: %s (or pass --all)", outputName, job, strings.Join(names, ", "))
		}
	}
	targets := make([]target, 0, len(selected))
	for _, o := range selected {
		dir := root
		switch {
		case modelBatch:
		case o.Name == azml.DefaultArtifactsOutput:
			dir = filepath.Join(root, artifactsDir)
		default:
			if !filepath.IsLocal(o.Name) || strings.ContainsAny(o.Name, `/\`) {
				return nil, fmt.Errorf("job %s: output name %q cannot be a folder name", job, o.Name)
			}
			dir = filepath.Join(root, namedOutputsDir, o.Name)
		}
		targets = append(targets, target{Output: o, Dir: dir})
	}
	return targets, nil
}
