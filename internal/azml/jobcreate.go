package azml

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/names"
	"github.com/mlbatch/ml/internal/spec"
)

// CreateJob submits job j as `az ml job create -f` does. Everything it
// refers to is resolved and every local path planned first (read-only), so
// a bad reference or a missing folder fails before anything is uploaded;
// then local code and data are uploaded, inline environments and the
// inline components of steps registered (anonymously, as az does), and the
// job PUT under its name (a friendly random one when j has none).
func (a *Assets) CreateJob(ctx context.Context, j *spec.Job) (*armmachinelearning.JobBase, error) {
	t := a.newTree()
	if err := t.resolveCode(ctx, j.Code); err != nil {
		return nil, err
	}
	if err := t.resolveEnvironment(ctx, j.Environment); err != nil {
		return nil, err
	}
	for _, in := range j.Inputs {
		if err := t.resolveInput(ctx, in); err != nil {
			return nil, err
		}
	}
	if cr := j.Component; cr != nil && cr.Ref != nil {
		child, id, err := a.c.FetchComponent(ctx, cr.Ref)
		if err != nil {
			return nil, fmt.Errorf("%s: component: %w", j.File, err)
		}
		cr.Resolved = child
		t.r.Components[cr] = id
	}
	if err := t.resolveNodes(ctx, j.Jobs); err != nil {
		return nil, err
	}

	if err := t.registerCode(ctx, j.Code); err != nil {
		return nil, err
	}
	if err := t.registerEnvironment(ctx, j.Environment); err != nil {
		return nil, err
	}
	for _, in := range j.Inputs {
		if err := t.uploadInput(ctx, in); err != nil {
			return nil, err
		}
	}
	if err := t.registerNodes(ctx, j.Jobs); err != nil {
		return nil, err
	}

	name := j.Name
	if name == "" {
		name = names.Friendly(10)
	}
	// az files a job whose YAML names no experiment under the YAML's
	// folder name.
	experiment := filepath.Base(filepath.Dir(j.File))
	if abs, err := filepath.Abs(j.File); err == nil {
		experiment = filepath.Base(filepath.Dir(abs))
	}
	body := j.ARM(t.r, experiment)
	c := a.c
	resp, err := c.arm.NewJobsClient().CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, body, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("create job %s", name))
	}
	return &resp.JobBase, nil
}
