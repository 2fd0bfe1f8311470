package azml

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// ChildRun is a child job (a pipeline step) as run history lists it: the
// fields the SDK's _BaseJob reads from a Run.
type ChildRun struct {
	RunID        string            `json:"runId"`
	Name         string            `json:"name"`
	DisplayName  string            `json:"displayName"`
	Description  string            `json:"description"`
	ExperimentID string            `json:"experimentId"`
	Status       string            `json:"status"`
	Tags         map[string]string `json:"tags"`
	Properties   map[string]string `json:"properties"`
	CreatedUTC   *time.Time        `json:"createdUtc"`
	CreatedBy    *struct {
		UserName string `json:"userName"`
	} `json:"createdBy"`
	CreatedFrom     string     `json:"createdFrom"`
	LastModifiedUTC *time.Time `json:"lastModifiedUtc"`
	LastModifiedBy  *struct {
		UserName string `json:"userName"`
	} `json:"lastModifiedBy"`
	Compute *struct {
		Target string `json:"target"`
	} `json:"compute"`
	Services map[string]struct {
		Endpoint string `json:"endpoint"`
		Type     string `json:"type"`
	} `json:"services"`
}

// maxChildPages bounds a child listing that keeps handing out next links.
const maxChildPages = 1000

// ListChildJobs lists the child jobs of job parent, as `az ml job list
// --parent-job-name` does: the parent is read first (an unknown name is a
// not-found error, from ARM), then run history's children route, $top
// set to max when max > 0.
func (c *Client) ListChildJobs(ctx context.Context, parent string, max int) ([]ChildRun, error) {
	if _, err := c.GetJob(ctx, parent); err != nil {
		return nil, err
	}
	return c.childRuns(ctx, parent, max)
}

func (c *Client) childRuns(ctx context.Context, parent string, max int) ([]ChildRun, error) {
	api, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	u := c.runURL(api, parent) + "/children"
	if max > 0 {
		u += "?" + url.Values{"$top": {strconv.Itoa(max)}}.Encode()
	}
	var out []ChildRun
	for pages := 0; u != "" && pages < maxChildPages; pages++ {
		var page struct {
			Value             []ChildRun `json:"value"`
			NextLink          string     `json:"nextLink"`
			ContinuationToken string     `json:"continuationToken"`
		}
		if err := c.getJSON(ctx, u, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Value...)
		if max > 0 && len(out) >= max {
			return out[:max], nil
		}
		u = page.NextLink
	}
	return out, nil
}

// ChildJobView is a child job as az prints it in `az ml job list
// --parent-job-name`: the SDK's _BaseJob dump (name, display_name,
// status, experiment_name, compute, tags, properties, services,
// creation_context) with the job's ARM id.
func (c *Client) ChildJobView(r ChildRun) map[string]any {
	name := r.RunID
	if name == "" {
		name = r.Name
	}
	v := map[string]any{
		"name": name, "id": c.T.WorkspaceID() + "/jobs/" + name, "status": r.Status,
		"tags": anyMap(r.Tags), "properties": anyMap(r.Properties),
	}
	for k, s := range map[string]string{"display_name": r.DisplayName, "description": r.Description, "experiment_name": r.ExperimentID} {
		if s != "" {
			v[k] = s
		}
	}
	if r.Compute != nil && r.Compute.Target != "" {
		v["compute"] = r.Compute.Target
	}
	services := map[string]any{}
	for k, s := range r.Services {
		e := map[string]any{}
		if s.Endpoint != "" {
			e["endpoint"] = s.Endpoint
		}
		if s.Type != "" {
			e["type"] = s.Type
		}
		services[k] = e
	}
	v["services"] = services
	cc := map[string]any{}
	if r.CreatedUTC != nil {
		cc["created_at"] = r.CreatedUTC.UTC().Format(time.RFC3339Nano)
	}
	if r.CreatedBy != nil && r.CreatedBy.UserName != "" {
		cc["created_by"] = r.CreatedBy.UserName
	}
	if r.CreatedFrom != "" {
		cc["created_by_type"] = r.CreatedFrom
	}
	if r.LastModifiedUTC != nil {
		cc["last_modified_at"] = r.LastModifiedUTC.UTC().Format(time.RFC3339Nano)
	}
	if r.LastModifiedBy != nil && r.LastModifiedBy.UserName != "" {
		cc["last_modified_by"] = r.LastModifiedBy.UserName
	}
	if len(cc) > 0 {
		v["creation_context"] = cc
	}
	return v
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
