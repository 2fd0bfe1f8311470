package azml

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// The workspace data plane (run history, the batch job list) lives on a
// regional host found through the workspace's discoveryUrl; the local
// workspace serves the same routes on its own URL.

// dataPlane caches the discovered API host.
type dataPlane struct {
	once sync.Once
	api  string
	err  error
}

// APIURL returns the workspace's data-plane base URL (discovery's "api").
func (c *Client) APIURL(ctx context.Context) (string, error) {
	c.dp.once.Do(func() { c.dp.api, c.dp.err = c.discover(ctx) })
	return c.dp.api, c.dp.err
}

func (c *Client) discover(ctx context.Context) (string, error) {
	ws, err := c.arm.NewWorkspacesClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, nil)
	if err != nil {
		return "", c.check(err, fmt.Sprintf("workspace %q", c.T.Workspace))
	}
	if ws.Properties == nil || ws.Properties.DiscoveryURL == nil || *ws.Properties.DiscoveryURL == "" {
		return "", fmt.Errorf("workspace %q has no discoveryUrl; cannot reach its run history", c.T.Workspace)
	}
	var disc struct {
		API string `json:"api"`
	}
	if err := c.getJSON(ctx, *ws.Properties.DiscoveryURL, &disc); err != nil {
		return "", fmt.Errorf("workspace discovery: %w", err)
	}
	if disc.API == "" {
		return "", fmt.Errorf("workspace discovery at %s returned no api URL", *ws.Properties.DiscoveryURL)
	}
	return strings.TrimSuffix(disc.API, "/"), nil
}

// getJSON GETs u through the data-plane pipeline (ARM audience) and
// decodes the JSON answer.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	return c.getJSONAs(ctx, u, "GET "+redactedPath(u), v)
}

// getJSONAs is getJSON with what naming the resource in errors ("<what>
// not found: <the service's message>").
func (c *Client) getJSONAs(ctx context.Context, u, what string, v any) error {
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return err
	}
	resp, err := c.data.Do(req)
	if err != nil {
		return ClassifyAuth(err, c.getenv)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return c.check(runtime.NewResponseError(resp), what)
	}
	return runtime.UnmarshalAsJSON(resp, v)
}

func redactedPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "request"
	}
	return p.Path
}

func (c *Client) runURL(api, job string) string {
	return api + "/history/v1.0" + c.T.WorkspaceID() + "/runs/" + url.PathEscape(job)
}

// RunProgress is a batch job's mini-batch progress.
type RunProgress struct {
	MiniBatchesTotal     int    `json:"miniBatchesTotal"`
	MiniBatchesSucceeded int    `json:"miniBatchesSucceeded"`
	MiniBatchesFailed    int    `json:"miniBatchesFailed"`
	ItemsTotal           int    `json:"itemsTotal"`
	ItemsFailed          int    `json:"itemsFailed"`
	RowsWritten          int    `json:"rowsWritten"`
	Message              string `json:"message,omitempty"`
}

// RunDetails is what run history says about a job.
type RunDetails struct {
	RunID  string `json:"runId"`
	Status string `json:"status"`
	// StartTimeUTC and EndTimeUTC are nil until the job starts / ends.
	StartTimeUTC *time.Time `json:"startTimeUtc"`
	EndTimeUTC   *time.Time `json:"endTimeUtc"`
	Error        *struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"error"`
	// LogFiles maps log names to download URLs.
	LogFiles map[string]string `json:"logFiles"`
	// Progress, EventsURL and OutputsURL are served by the local workspace;
	// absent on Azure, where the client polls and reads the log files.
	Progress   *RunProgress `json:"progress"`
	EventsURL  string       `json:"eventsUrl"`
	OutputsURL string       `json:"outputsUrl"`
}

// ErrorMessage is the run's error message, "" when it has none.
func (d *RunDetails) ErrorMessage() string {
	if d.Error == nil {
		return ""
	}
	return d.Error.Error.Message
}

// JobFailure is the reason run history gives for a failed job: nil when it
// gives none or cannot be read (the caller has the job's status already and
// only adds the reason).
func (c *Client) JobFailure(ctx context.Context, job string) *JobError {
	d, err := c.RunDetails(ctx, job)
	if err != nil || d.Error == nil || d.Error.Error.Message == "" {
		return nil
	}
	return &JobError{Code: d.Error.Error.Code, Message: d.Error.Error.Message}
}

// JobError is a failed job's error, as `ml job show` prints it.
type JobError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// RunDetails returns the run history details of job.
func (c *Client) RunDetails(ctx context.Context, job string) (*RunDetails, error) {
	api, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	var d RunDetails
	if err := c.getJSON(ctx, c.runURL(api, job)+"/details", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// RunEvent is one event of a followed job: a status change, a progress
// report or a log line.
type RunEvent struct {
	Seq      int64        `json:"seq,omitempty"`
	Time     time.Time    `json:"time"`
	Type     string       `json:"type"`
	Status   string       `json:"status,omitempty"`
	Message  string       `json:"message,omitempty"`
	Progress *RunProgress `json:"progress,omitempty"`
	File     string       `json:"file,omitempty"`
	Offset   *int64       `json:"offset,omitempty"`
	Line     string       `json:"line,omitempty"`
}

// RunEvents is one page of a job's events.
type RunEvents struct {
	Events   []RunEvent `json:"events"`
	Cursor   string     `json:"cursor"`
	Status   string     `json:"status"`
	Terminal bool       `json:"terminal"`
	More     bool       `json:"more"`
}

// Events long-polls eventsURL for events after cursor, waiting up to wait
// for something to happen.
func (c *Client) Events(ctx context.Context, eventsURL, cursor string, wait time.Duration) (*RunEvents, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if wait > 0 {
		q.Set("wait", strconv.Itoa(int(wait.Seconds())))
	}
	u := eventsURL
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var page RunEvents
	if err := c.getJSON(ctx, u, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ReadLog returns at most limit bytes of a log file from offset on (a Range
// request, and a bounded read should the server send more). Log URLs on
// the data-plane host carry the user's token; others (Azure's SAS URLs)
// are fetched without it.
func (c *Client) ReadLog(ctx context.Context, logURL string, offset, limit int64) ([]byte, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("ReadLog: limit %d must be positive", limit)
	}
	api, _ := c.APIURL(ctx)
	req, err := runtime.NewRequest(ctx, http.MethodGet, logURL)
	if err != nil {
		return nil, err
	}
	req.Raw().Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+limit-1))
	var resp *http.Response
	if api != "" && strings.HasPrefix(logURL, api) {
		resp, err = c.data.Do(req)
	} else {
		resp, err = c.plain.Do(req)
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
		return io.ReadAll(io.LimitReader(resp.Body, limit))
	case http.StatusRequestedRangeNotSatisfiable:
		return nil, nil
	}
	return nil, c.check(runtime.NewResponseError(resp), "log file")
}

// JobOutput locates one output of a finished job on a datastore.
type JobOutput struct {
	Name      string `json:"name"`
	Datastore string `json:"datastore"`
	// Path is the output folder on the datastore (ends with "/"), or the
	// blob of a uri_file output.
	Path string `json:"path"`
	// File is the model deployment's output file inside Path, if any.
	File string `json:"file,omitempty"`
}

// JobOutputs returns where job's outputs are. The local workspace lists
// every output on its outputs route (sel is for the caller to apply). On
// Azure a model deployment's job has one output, the "score" folder of its
// batchscoring child run; any other job's outputs (pipeline jobs, pipeline
// component deployments' jobs) are found as az finds them: see
// namedOutputs.
func (c *Client) JobOutputs(ctx context.Context, job string, sel OutputSelection) ([]JobOutput, error) {
	d, err := c.RunDetails(ctx, job)
	if err != nil {
		return nil, err
	}
	if d.OutputsURL != "" {
		var page struct {
			Value []JobOutput `json:"value"`
		}
		if err := c.getJSON(ctx, d.OutputsURL, &page); err != nil {
			return nil, err
		}
		return page.Value, nil
	}
	if !sel.ModelBatch {
		return c.namedOutputs(ctx, job, sel)
	}
	children, err := c.childRuns(ctx, job, 0)
	if err != nil {
		return nil, err
	}
	for _, ch := range children {
		if ch.Name == "batchscoring" || ch.DisplayName == "batchscoring" {
			return []JobOutput{{Name: "score", Datastore: DefaultDatastore, Path: "azureml/" + ch.RunID + "/score/"}}, nil
		}
	}
	return nil, fmt.Errorf("job %q has no batchscoring child run; it may not be a batch job", job)
}

// ListBatchJobs lists an endpoint's jobs through the batch data plane
// (what `az ml batch-endpoint list-jobs` prints). With a deployment it
// lists that deployment's jobs on the route az's batch-deployment
// list-jobs calls (…/batchEndpoints/{e}/deployments/{d}/jobs), with no ARM
// request before it.
func (c *Client) ListBatchJobs(ctx context.Context, endpoint, deployment string) ([]mlapi.BatchJobResource, error) {
	api, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	u := api + "/mferp/managementfrontend" + c.T.WorkspaceID() + "/batchEndpoints/" + url.PathEscape(endpoint)
	if deployment != "" {
		u += "/deployments/" + url.PathEscape(deployment)
	}
	u += "/jobs?api-version=" + mferpAPIVersion
	var out []mlapi.BatchJobResource
	for u != "" {
		var page mlapi.BatchJobList
		if err := c.getJSON(ctx, u, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Value...)
		u = page.NextLink
	}
	return out, nil
}

// mferpAPIVersion is the batch data plane's api-version, as az sends it.
const mferpAPIVersion = "2020-09-01-dataplanepreview"
