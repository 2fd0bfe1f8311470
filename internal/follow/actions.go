package follow

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/ghactions"
)

// reportTimeout bounds the two requests a workflow report makes, so a
// report can never hold up the step.
const reportTimeout = 30 * time.Second

// report tells the GitHub Actions workflow ml runs in how the followed job
// ended (Options.Actions; nothing outside Actions). The facts the follow
// did not see come from run history (duration) and the ARM job
// (deployment, outputs, Studio link); what cannot be read is left out of
// the summary rather than failing the command.
func report(ctx context.Context, c *azml.Client, res *Result, o Options, note string) {
	if o.Actions == nil || res == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reportTimeout)
	defer cancel()
	j := ghactions.Job{
		Name: res.Job, Status: res.Status, UserError: res.UserError, Note: note,
		Endpoint: o.Endpoint, Deployment: o.Deployment,
	}
	if p := res.Progress; p != nil {
		j.MiniBatches = &ghactions.MiniBatches{Total: p.MiniBatchesTotal, Succeeded: p.MiniBatchesSucceeded, Failed: p.MiniBatchesFailed}
	}
	if d, err := c.RunDetails(ctx, res.Job); err == nil && d.StartTimeUTC != nil {
		end := time.Now()
		if d.EndTimeUTC != nil {
			end = *d.EndTimeUTC
		}
		j.Duration = end.Sub(*d.StartTimeUTC)
	}
	if job, err := c.GetJob(ctx, res.Job); err == nil {
		fillFromJob(&j, azml.JobView(job))
	}
	o.Actions.Report(j)
}

// fillFromJob completes j from the ARM job as `ml job show` prints it.
func fillFromJob(j *ghactions.Job, v map[string]any) {
	tags, _ := v["tags"].(map[string]any)
	if j.Deployment == "" {
		j.Deployment, _ = tags["azureml.deploymentname"].(string)
	}
	if j.Endpoint == "" {
		// The service names the endpoint only in the description it writes
		// for a batch job: "Pipeline submission for endpoint: E, deployment: D."
		desc, _ := v["description"].(string)
		if rest, ok := strings.CutPrefix(desc, "Pipeline submission for endpoint: "); ok {
			j.Endpoint, _, _ = strings.Cut(rest, ",")
		}
	}
	if services, ok := v["services"].(map[string]any); ok {
		if studio, ok := services["Studio"].(map[string]any); ok {
			j.Link, _ = studio["endpoint"].(string)
		}
	}
	outputs, _ := v["outputs"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		o, _ := outputs[name].(map[string]any)
		if path, _ := o["path"].(string); path != "" {
			j.Outputs = append(j.Outputs, ghactions.Output{Name: name, Path: path})
		}
	}
}
