package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TerminalStatuses are the job states after which nothing changes; download
// is allowed in these (as the SDK allows it).
var TerminalStatuses = map[string]bool{
	"Completed": true, "Failed": true, "Canceled": true, "NotResponding": true, "Paused": true,
}

// GetJob returns the ARM job name.
func (c *Client) GetJob(ctx context.Context, name string) (*armmachinelearning.JobBase, error) {
	resp, err := c.arm.NewJobsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("job %q", name))
	}
	return &resp.JobBase, nil
}

// ListJobs returns the workspace's jobs in view, newest first as the
// service orders them; max > 0 stops after that many.
func (c *Client) ListJobs(ctx context.Context, view ListView, max int) ([]*armmachinelearning.JobBase, error) {
	pager := c.arm.NewJobsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, &armmachinelearning.JobsClientListOptions{ListViewType: view.arm()})
	return collect(ctx, c, pager, func(p armmachinelearning.JobsClientListResponse) []*armmachinelearning.JobBase { return p.Value }, max, "list jobs")
}

// CancelJob requests cancellation and waits for the service to accept it.
func (c *Client) CancelJob(ctx context.Context, name string) error {
	poller, err := c.arm.NewJobsClient().BeginCancel(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return c.check(err, fmt.Sprintf("cancel job %q", name))
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Second})
	return c.check(err, fmt.Sprintf("cancel job %q", name))
}

// JobStatus is the status of an ARM job ("" when absent).
func JobStatus(j *armmachinelearning.JobBase) string {
	if j == nil || j.Properties == nil {
		return ""
	}
	if s := j.Properties.GetJobBaseProperties().Status; s != nil {
		return string(*s)
	}
	return ""
}

// StudioURL is the job's web view (services.Studio.endpoint), "" when the
// service lists none.
func StudioURL(j *armmachinelearning.JobBase) string {
	if j == nil || j.Properties == nil {
		return ""
	}
	if s := j.Properties.GetJobBaseProperties().Services["Studio"]; s != nil && s.Endpoint != nil {
		return *s.Endpoint
	}
	return ""
}

// JobView is a job as az prints it (`az ml job show`): the SDK entity's
// snake_case dump, with top-level status so `--query status -o tsv` works.
func JobView(j *armmachinelearning.JobBase) map[string]any {
	v := map[string]any{}
	if j == nil {
		return v
	}
	setStr(v, "name", j.Name)
	setStr(v, "id", j.ID)
	if j.Properties == nil {
		return v
	}
	p := j.Properties.GetJobBaseProperties()
	if p.JobType != nil {
		v["type"] = strings.ToLower(string(*p.JobType))
	}
	setStr(v, "display_name", p.DisplayName)
	setStr(v, "experiment_name", p.ExperimentName)
	setStr(v, "description", p.Description)
	setStr(v, "compute", p.ComputeID)
	if p.Status != nil {
		v["status"] = string(*p.Status)
	}
	v["tags"] = strMap(p.Tags)
	v["properties"] = strMap(p.Properties)
	services := map[string]any{}
	for k, s := range p.Services {
		if s == nil {
			continue
		}
		e := map[string]any{}
		setStr(e, "endpoint", s.Endpoint)
		setStr(e, "type", s.JobServiceType)
		services[k] = e
	}
	v["services"] = services
	if cc := creationContext(j.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	// Inputs and outputs as the SDK names them: type and path.
	raw, _ := json.Marshal(j.Properties)
	var props struct {
		Inputs  map[string]map[string]any `json:"inputs"`
		Outputs map[string]map[string]any `json:"outputs"`
	}
	_ = json.Unmarshal(raw, &props)
	v["inputs"] = ioView(props.Inputs, "jobInputType")
	v["outputs"] = ioView(props.Outputs, "jobOutputType")
	return v
}

func ioView(in map[string]map[string]any, typeKey string) map[string]any {
	out := map[string]any{}
	for name, m := range in {
		e := map[string]any{}
		for k, val := range m {
			switch k {
			case typeKey:
				e["type"] = val
			case "uri":
				e["path"] = val
			default:
				e[snake(k)] = val
			}
		}
		out[name] = e
	}
	return out
}

func setStr[T ~string](m map[string]any, key string, p *T) {
	if p != nil {
		m[key] = string(*p)
	}
}

func strMap(m map[string]*string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// snake converts a camelCase key to snake_case (miniBatchSize →
// mini_batch_size).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
