package azml

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// WaitOptions say how a long-running operation (create, update, delete) is
// awaited. The zero value waits, polling at the default interval, without
// progress.
type WaitOptions struct {
	// NoWait returns once the service has accepted the request (--no-wait).
	NoWait bool
	// Progress, when set, is called when waiting starts and about once a
	// second after, with the time waited; it draws the progress line.
	Progress func(elapsed time.Duration)
	// PollInterval is the time between status polls. 0 means one second
	// on Azure (longer when the service asks with Retry-After, up to 30 s)
	// and 200 ms on the local workspace.
	PollInterval time.Duration
}

// maxRetryAfter caps how long a Retry-After header may stretch a poll.
const maxRetryAfter = 30 * time.Second

// await polls p until the operation ends, reporting progress; with NoWait
// it returns the zero result at once (the request was already accepted).
func await[T any](ctx context.Context, c *Client, p *runtime.Poller[T], w WaitOptions, what string) (T, error) {
	var zero T
	if w.NoWait {
		return zero, nil
	}
	interval := w.PollInterval
	if interval <= 0 {
		interval = time.Second
		if c.T.Local {
			interval = 200 * time.Millisecond
		}
	}
	start := time.Now()
	lastTick := start
	if w.Progress != nil {
		w.Progress(0)
	}
	for !p.Done() {
		resp, err := p.Poll(ctx)
		if err != nil {
			return zero, c.check(err, what)
		}
		if p.Done() {
			break
		}
		delay := interval
		if ra := retryAfter(resp); !c.T.Local && ra > delay {
			delay = min(ra, maxRetryAfter)
		}
		for deadline := time.Now().Add(delay); ; {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			select {
			case <-ctx.Done():
				return zero, ctx.Err()
			case <-time.After(min(left, time.Second)):
			}
			if w.Progress != nil && time.Since(lastTick) >= time.Second {
				lastTick = time.Now()
				w.Progress(time.Since(start))
			}
		}
	}
	res, err := p.Result(ctx)
	if err != nil {
		return zero, c.check(err, what)
	}
	return res, nil
}

// retryAfter reads a Retry-After header in seconds (0 when absent).
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// WorkspaceLocation is the workspace's Azure region, which az sends as the
// location of every endpoint and deployment it creates.
func (c *Client) WorkspaceLocation(ctx context.Context) (string, error) {
	ws, err := c.arm.NewWorkspacesClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, nil)
	if err != nil {
		return "", c.check(err, fmt.Sprintf("workspace %q", c.T.Workspace))
	}
	if ws.Location == nil || *ws.Location == "" {
		return "", fmt.Errorf("workspace %q has no location; cannot create resources in it", c.T.Workspace)
	}
	return *ws.Location, nil
}

// CreateOrUpdateEndpoint PUTs batch endpoint name and awaits the operation.
// It returns the endpoint as the service has it, or nil with NoWait.
func (c *Client) CreateOrUpdateEndpoint(ctx context.Context, name string, body armmachinelearning.BatchEndpoint, w WaitOptions) (*armmachinelearning.BatchEndpoint, error) {
	what := fmt.Sprintf("batch endpoint %q", name)
	p, err := c.arm.NewBatchEndpointsClient().BeginCreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, body, nil)
	if err != nil {
		return nil, c.check(err, what)
	}
	res, err := await(ctx, c, p, w, what)
	if err != nil || w.NoWait {
		return nil, err
	}
	return &res.BatchEndpoint, nil
}

// DeleteEndpoint deletes batch endpoint name (and its deployments) and
// awaits the operation unless NoWait.
func (c *Client) DeleteEndpoint(ctx context.Context, name string, w WaitOptions) error {
	what := fmt.Sprintf("batch endpoint %q", name)
	p, err := c.arm.NewBatchEndpointsClient().BeginDelete(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return c.check(err, what)
	}
	_, err = await(ctx, c, p, w, what)
	return err
}

// CreateOrUpdateDeployment PUTs deployment name of endpoint and awaits the
// operation. It returns the deployment as the service has it, or nil with
// NoWait.
func (c *Client) CreateOrUpdateDeployment(ctx context.Context, endpoint, name string, body armmachinelearning.BatchDeployment, w WaitOptions) (*armmachinelearning.BatchDeployment, error) {
	what := fmt.Sprintf("deployment %q of batch endpoint %q", name, endpoint)
	p, err := c.arm.NewBatchDeploymentsClient().BeginCreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, endpoint, name, body, nil)
	if err != nil {
		return nil, c.check(err, what)
	}
	res, err := await(ctx, c, p, w, what)
	if err != nil || w.NoWait {
		return nil, err
	}
	return &res.BatchDeployment, nil
}

// DeleteDeployment deletes deployment name of endpoint and awaits the
// operation unless NoWait.
func (c *Client) DeleteDeployment(ctx context.Context, endpoint, name string, w WaitOptions) error {
	what := fmt.Sprintf("deployment %q of batch endpoint %q", name, endpoint)
	p, err := c.arm.NewBatchDeploymentsClient().BeginDelete(ctx, c.T.ResourceGroup, c.T.Workspace, endpoint, name, nil)
	if err != nil {
		return c.check(err, what)
	}
	_, err = await(ctx, c, p, w, what)
	return err
}

// SetDefaultDeployment makes deployment the default of endpoint
// (defaults.deployment_name), as `az ml batch-deployment create
// --set-default` does: GET the endpoint, PUT it back with the new default.
func (c *Client) SetDefaultDeployment(ctx context.Context, endpoint, deployment string, w WaitOptions) (*armmachinelearning.BatchEndpoint, error) {
	cur, err := c.GetEndpoint(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	body := EndpointPutBody(cur)
	body.Properties.Defaults = &armmachinelearning.BatchEndpointDefaults{DeploymentName: refTo(deployment)}
	return c.CreateOrUpdateEndpoint(ctx, endpoint, body, w)
}

// EndpointPutBody is the PUT body that keeps endpoint e as it is: its
// writable fields, without read-only ones (scoring URI, provisioning
// state, identity principal ids).
func EndpointPutBody(e *armmachinelearning.BatchEndpoint) armmachinelearning.BatchEndpoint {
	body := armmachinelearning.BatchEndpoint{
		Location: e.Location, Tags: e.Tags, Kind: e.Kind, SKU: e.SKU, Identity: KeepIdentity(e.Identity),
		Properties: &armmachinelearning.BatchEndpointProperties{},
	}
	if body.Tags == nil {
		body.Tags = map[string]*string{}
	}
	if p := e.Properties; p != nil {
		body.Properties.AuthMode = p.AuthMode
		body.Properties.Description = p.Description
		body.Properties.Properties = p.Properties
		body.Properties.Defaults = p.Defaults
	}
	if body.Properties.AuthMode == nil {
		body.Properties.AuthMode = refTo(armmachinelearning.EndpointAuthModeAADToken)
	}
	return body
}

// KeepIdentity is the writable part of an existing identity (its type and
// user-assigned ids), so a PUT that rewrites a resource keeps it; nil
// stays nil.
func KeepIdentity(id *armmachinelearning.ManagedServiceIdentity) *armmachinelearning.ManagedServiceIdentity {
	if id == nil || id.Type == nil {
		return nil
	}
	out := &armmachinelearning.ManagedServiceIdentity{Type: id.Type}
	if len(id.UserAssignedIdentities) > 0 {
		out.UserAssignedIdentities = map[string]*armmachinelearning.UserAssignedIdentity{}
		for k := range id.UserAssignedIdentities {
			out.UserAssignedIdentities[k] = &armmachinelearning.UserAssignedIdentity{}
		}
	}
	return out
}

// PlanDeployment lists the local folders deployment d uploads (code, an
// inline model, an environment's build context) and starts hashing them,
// so a bad path fails before any request and the reading overlaps the
// round trips that follow. PrepareDeployment takes the plans.
func (a *Assets) PlanDeployment(ctx context.Context, d *spec.Deployment) error {
	for _, p := range deploymentUploads(d) {
		if err := a.startPlan(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// deploymentUploads are the local paths a non-pipeline deployment uploads.
func deploymentUploads(d *spec.Deployment) []string {
	if d.Type == spec.DeploymentPipeline {
		return nil // a pipeline component's tree plans itself
	}
	var paths []string
	if d.Code != nil && d.Code.Ref == nil && d.Code.Path != "" {
		paths = append(paths, d.Code.Path)
	}
	if m := d.Model; m != nil && m.Inline != nil && !m.Inline.Remote {
		paths = append(paths, m.Inline.Path)
	}
	if e := d.Environment; e != nil && e.Inline != nil && e.Inline.BuildPath != "" && !e.Inline.BuildRemote {
		paths = append(paths, e.Inline.BuildPath)
	}
	return paths
}

// PrepareDeployment makes everything deployment d refers to exist, as az's
// orchestrator does before the PUT: a local code folder becomes a code
// version, an inline model a model version, an inline environment an
// environment version (each uploaded with invoke's content-hash dedupe);
// references are resolved to ARM ids and the compute to its ARM id. It
// returns the ids and the assets in the order they were handled.
func (a *Assets) PrepareDeployment(ctx context.Context, d *spec.Deployment) (spec.Resolved, []*RegisteredAsset, error) {
	c := a.c
	var r spec.Resolved
	var assets []*RegisteredAsset
	if d.Type == spec.DeploymentPipeline {
		var id string
		var err error
		switch {
		case d.PipelineComponent != nil:
			id, err = a.RegisterPipelineComponent(ctx, d.PipelineComponent)
		case d.JobDefinition != "":
			id, err = a.RegisterJobComponent(ctx, d.JobDefinition, d.JobDefinitionAt)
		default:
			id, err = c.ResolveRef(ctx, d.Component)
		}
		if err != nil {
			return r, nil, err
		}
		r.ComponentID = id
		return r, nil, nil
	}
	// Every upload is planned (listed, read and hashed) before the first
	// is registered, so an unreadable model does not leave a code version
	// behind.
	for _, p := range deploymentUploads(d) {
		if err := a.planAhead(ctx, p); err != nil {
			return r, assets, err
		}
	}
	if d.Code != nil {
		code, err := a.RegisterCode(ctx, d.Code)
		if err != nil {
			return r, assets, err
		}
		r.CodeID, assets = code.ID, append(assets, code)
	}
	if m := d.Model; m != nil {
		var err error
		if m.Ref != nil {
			r.ModelID, err = c.ResolveRef(ctx, m.Ref)
		} else {
			var model *RegisteredAsset
			if model, err = a.RegisterModel(ctx, m.Inline); err == nil {
				r.ModelID, assets = model.ID, append(assets, model)
			}
		}
		if err != nil {
			return r, assets, err
		}
	}
	if e := d.Environment; e != nil {
		var err error
		if e.Ref != nil {
			r.EnvironmentID, err = c.resolveEnvironmentRef(ctx, e.Ref)
		} else {
			var env *RegisteredAsset
			if env, err = a.RegisterEnvironment(ctx, e.Inline); err == nil {
				r.EnvironmentID, assets = env.ID, append(assets, env)
			}
		}
		if err != nil {
			return r, assets, err
		}
	}
	r.ComputeID = spec.ComputeID(c.T.WorkspaceID(), d.Compute)
	return r, assets, nil
}

// resolveEnvironmentRef resolves an environment reference. The local
// workspace has no curated environments (AzureML-sklearn-...@latest): a
// reference it cannot resolve is sent as written, and the local runtime
// uses the local Python whatever it names.
func (c *Client) resolveEnvironmentRef(ctx context.Context, r *spec.Ref) (string, error) {
	id, err := c.ResolveRef(ctx, r)
	if err != nil && c.T.Local && r.Label != "" && clierr.IsNotFound(err) {
		return r.Raw, nil
	}
	return id, err
}
