package azml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/build"
	"github.com/mlbatch/ml/internal/clierr"
)

// Client talks to one workspace through the armmachinelearning clients
// (control plane) and two azcore pipelines: one with the ML audience for
// scoring URIs, one with the ARM audience for the data-plane routes
// (discovery, run history, the batch job list).
type Client struct {
	T       *Target
	arm     *armmachinelearning.ClientFactory
	scoring runtime.Pipeline
	data    runtime.Pipeline
	// plain carries requests that must not have a token (SAS URLs).
	plain runtime.Pipeline
	// cred is T.Credential behind one token cache that every pipeline
	// shares.
	cred   azcore.TokenCredential
	getenv func(string) string
	dp     dataPlane
}

// NewClient builds the clients of t. It makes no network call.
func NewClient(t *Target, getenv func(string) string) (*Client, error) {
	cred := newTokenCache(t.Credential)
	factory, err := armmachinelearning.NewClientFactory(t.Subscription, cred, t.ARMOptions())
	if err != nil {
		return nil, err
	}
	opts := t.clientOptions()
	scoring := pipeline(opts, cred, t.Cloud.MLScope)
	data := pipeline(opts, cred, t.Cloud.ARMScope())
	plain := runtime.NewPipeline("ml", build.Version, runtime.PipelineOptions{}, &opts)
	return &Client{T: t, arm: factory, scoring: scoring, data: data, plain: plain, cred: cred, getenv: getenv}, nil
}

func pipeline(opts azcore.ClientOptions, cred azcore.TokenCredential, scope string) runtime.Pipeline {
	bearer := runtime.NewBearerTokenPolicy(cred, []string{scope}, &policy.BearerTokenOptions{
		InsecureAllowCredentialWithHTTP: opts.InsecureAllowCredentialWithHTTP,
	})
	return runtime.NewPipeline("ml", build.Version, runtime.PipelineOptions{PerRetry: []policy.Policy{bearer}}, &opts)
}

// check turns SDK errors into ml's typed errors: 404 → not found (exit 3),
// authentication failures → exit 4, and gives the rest the ARM error
// message az prints.
func (c *Client) check(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var resp *azcore.ResponseError
	if errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound {
		return &clierr.NotFoundError{Err: fmt.Errorf("%s not found: %s", what, armMessage(resp))}
	}
	if classified := ClassifyAuth(err, c.getenv); classified != err {
		return classified
	}
	if resp != nil {
		return fmt.Errorf("%s: (%s) %s", what, resp.ErrorCode, armMessage(resp))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// armMessage is the error.message of an ARM error body, else the status.
func armMessage(resp *azcore.ResponseError) string {
	if resp.RawResponse != nil {
		if body, err := runtime.Payload(resp.RawResponse); err == nil {
			var e struct {
				Error struct {
					Code, Message string
				} `json:"error"`
			}
			if jerr := json.Unmarshal(body, &e); jerr == nil && e.Error.Message != "" {
				return e.Error.Message
			}
			if s := strings.TrimSpace(string(body)); s != "" && len(s) < 500 {
				return s
			}
		}
		return resp.RawResponse.Status
	}
	return resp.ErrorCode
}

// GetEndpoint returns the batch endpoint name.
func (c *Client) GetEndpoint(ctx context.Context, name string) (*armmachinelearning.BatchEndpoint, error) {
	resp, err := c.arm.NewBatchEndpointsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("batch endpoint %q", name))
	}
	return &resp.BatchEndpoint, nil
}

// ListEndpoints returns every batch endpoint of the workspace.
func (c *Client) ListEndpoints(ctx context.Context) ([]*armmachinelearning.BatchEndpoint, error) {
	pager := c.arm.NewBatchEndpointsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, nil)
	return collect(ctx, c, pager, func(p armmachinelearning.BatchEndpointsClientListResponse) []*armmachinelearning.BatchEndpoint {
		return p.Value
	}, 0, "list batch endpoints")
}

// ListDeployments returns every deployment of endpoint (following nextLink).
func (c *Client) ListDeployments(ctx context.Context, endpoint string) ([]*armmachinelearning.BatchDeployment, error) {
	pager := c.arm.NewBatchDeploymentsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, endpoint, nil)
	return collect(ctx, c, pager, func(p armmachinelearning.BatchDeploymentsClientListResponse) []*armmachinelearning.BatchDeployment {
		return p.Value
	}, 0, fmt.Sprintf("deployments of batch endpoint %q", endpoint))
}

// ValidateDeployment checks that endpoint has a deployment named name
// (case-sensitive, as the SDK compares), with the SDK's messages.
func (c *Client) ValidateDeployment(ctx context.Context, endpoint, name string) (*armmachinelearning.BatchDeployment, error) {
	deps, err := c.ListDeployments(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	if len(deps) == 0 {
		return nil, &clierr.NotFoundError{Err: fmt.Errorf("No deployment exists for this endpoint (%s); create one with `ml batch-deployment create`", endpoint)}
	}
	var names []string
	for _, d := range deps {
		if d.Name != nil && *d.Name == name {
			return d, nil
		}
		if d.Name != nil {
			names = append(names, *d.Name)
		}
	}
	return nil, &clierr.NotFoundError{Err: fmt.Errorf("Deployment name %s not found for this endpoint; its deployments are: %s", name, strings.Join(names, ", "))}
}

// GetDeployment returns one deployment of endpoint.
func (c *Client) GetDeployment(ctx context.Context, endpoint, name string) (*armmachinelearning.BatchDeployment, error) {
	resp, err := c.arm.NewBatchDeploymentsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, endpoint, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("deployment %q of batch endpoint %q", name, endpoint))
	}
	return &resp.BatchDeployment, nil
}
