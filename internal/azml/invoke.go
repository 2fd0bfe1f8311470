package azml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/uuid"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// InvokeRequest is one scoring POST.
type InvokeRequest struct {
	ScoringURI string
	// Deployment is sent as azureml-model-deployment when set; otherwise the
	// endpoint's default deployment runs.
	Deployment string
	Body       *mlapi.BatchJobRequest
	// RequestID is the repeatability_request-id; one is generated when
	// empty. The same id goes with every retry, so a retry never creates a
	// second job.
	RequestID string
}

// Invoke POSTs the job to the endpoint's scoring URI and returns the job the
// service created. Transient failures (connection errors, 408/429/5xx) are
// retried by the pipeline with the same repeatability id.
func (c *Client) Invoke(ctx context.Context, r InvokeRequest) (*mlapi.BatchJobResource, error) {
	if r.RequestID == "" {
		r.RequestID = uuid.NewString()
	}
	req, err := runtime.NewRequest(ctx, http.MethodPost, r.ScoringURI)
	if err != nil {
		return nil, fmt.Errorf("scoring URI %q: %w", r.ScoringURI, err)
	}
	req.Raw().Header.Set(mlapi.HeaderRepeatability, r.RequestID)
	if r.Deployment != "" {
		req.Raw().Header.Set(mlapi.HeaderDeployment, r.Deployment)
	}
	if err := runtime.MarshalAsJSON(req, r.Body); err != nil {
		return nil, err
	}
	resp, err := c.scoring.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ClassifyAuth(fmt.Errorf("Max retry attempts reached while trying to connect to server. Please check connection and invoke again. (%w)", err), c.getenv)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK, http.StatusCreated) {
		return nil, c.scoringError(runtime.NewResponseError(resp), r.Deployment)
	}
	var job mlapi.BatchJobResource
	if err := runtime.UnmarshalAsJSON(resp, &job); err != nil {
		return nil, fmt.Errorf("the endpoint answered %d with a body that is not a batch job: %w", resp.StatusCode, err)
	}
	return &job, nil
}

// scoringError renders a failed scoring POST: the service's error.message
// (validation errors carry their list there), az's hint for a missing
// default deployment, typed errors for 401/403/404.
func (c *Client) scoringError(err error, deployment string) error {
	var resp *azcore.ResponseError
	if !errors.As(err, &resp) {
		return err
	}
	msg := scoringMessage(resp)
	switch resp.StatusCode {
	case http.StatusNotFound:
		if deployment == "" {
			return &clierr.NotFoundError{Err: fmt.Errorf("%s; set a default deployment (ml batch-endpoint update --set defaults.deployment_name=<name>) or pass -d/--deployment-name", msg)}
		}
		return &clierr.NotFoundError{Err: fmt.Errorf("%s", msg)}
	case http.StatusUnauthorized, http.StatusForbidden:
		return ClassifyAuth(err, c.getenv)
	}
	return fmt.Errorf("(%s) %s", codeOr(resp), msg)
}

func scoringMessage(resp *azcore.ResponseError) string {
	if resp.RawResponse == nil {
		return resp.ErrorCode
	}
	body, err := runtime.Payload(resp.RawResponse)
	if err != nil || len(body) == 0 {
		return resp.RawResponse.Status
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	return strings.TrimSpace(string(body))
}

func codeOr(resp *azcore.ResponseError) string {
	if resp.ErrorCode != "" {
		return resp.ErrorCode
	}
	return http.StatusText(resp.StatusCode)
}
