package manage

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/background"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// PutEndpoint creates or updates endpoint e and prints it as az does
// (the endpoint's snake_case dump). verb labels the progress line
// ("Creating", "Updating"). current is the endpoint as it is, for update:
// its location and identity are kept when e does not set them.
func PutEndpoint(ctx context.Context, f *cmdutil.Factory, e *spec.Endpoint, verb string, noWait bool, current *armmachinelearning.BatchEndpoint) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	var location string
	if current != nil && current.Location != nil {
		location = *current.Location
	} else if location, err = c.WorkspaceLocation(ctx); err != nil {
		return err
	}
	body := e.ARM(location)
	if e.Identity == nil && current != nil {
		body.Identity = azml.KeepIdentity(current.Identity)
	}
	p := NewProgress(f, verb+" batch endpoint "+e.Name)
	got, err := c.CreateOrUpdateEndpoint(ctx, e.Name, body, p.Wait(noWait))
	p.Done(err == nil)
	if err != nil {
		return err
	}
	if noWait {
		f.Warn("Batch endpoint update/create request initiated. Status can be checked using `ml batch-endpoint show -n %s`", e.Name)
		body.Name = &e.Name
		return f.Print(azml.EndpointView(&body))
	}
	return f.Print(azml.EndpointView(got))
}

// PutDeployment creates or updates deployment d as az does: its local code,
// inline model and inline environment are uploaded and registered first,
// references resolved, then the deployment is PUT and awaited, and with
// setDefault the endpoint's default deployment set. It prints the
// deployment's snake_case dump.
func PutDeployment(ctx context.Context, f *cmdutil.Factory, d *spec.Deployment, verb string, noWait, setDefault bool) error {
	if setDefault && noWait {
		return clierr.Usagef("--set-default waits for the deployment to be ready; drop --no-wait (or set the default later with `ml batch-endpoint update -n %s --set defaults.deployment_name=%s`)", d.EndpointName, d.Name)
	}
	Notes(f, d.Notes)
	c, assets, err := AssetClient(f)
	if err != nil {
		return err
	}
	LocalNotices(f, c, d)
	// Local folders are listed now (a bad path fails before any request)
	// and read in the background, and the workspace's location is fetched
	// beside the endpoint check.
	if err := assets.PlanDeployment(ctx, d); err != nil {
		return err
	}
	location := background.Start(func() (string, error) { return c.WorkspaceLocation(ctx) })
	// The endpoint is checked before anything is uploaded or registered:
	// the deployment PUT would fail afterwards and leave a model or code
	// version behind.
	if _, err := c.GetEndpoint(ctx, d.EndpointName); err != nil {
		if clierr.IsNotFound(err) {
			return clierr.NotFoundf("batch endpoint %s does not exist, so batch deployment %s cannot be created on it; nothing was uploaded or registered. Create the endpoint first (`ml batch-endpoint create -n %s`) or name another with --endpoint-name", d.EndpointName, d.Name, d.EndpointName)
		}
		return err
	}
	loc, err := location()
	if err != nil {
		return err
	}
	ids, _, err := assets.PrepareDeployment(ctx, d)
	if err != nil {
		return err
	}
	body := d.ARM(loc, ids)
	p := NewProgress(f, verb+" batch deployment "+d.Name+" of endpoint "+d.EndpointName)
	dep, err := c.CreateOrUpdateDeployment(ctx, d.EndpointName, d.Name, body, p.Wait(noWait))
	p.Done(err == nil)
	if err != nil {
		return err
	}
	if noWait {
		f.Warn("Batch deployment update/create request initiated. Status can be checked using `ml batch-deployment show -e %s -n %s`", d.EndpointName, d.Name)
		body.Name = &d.Name
		return f.Print(azml.DeploymentView(&body))
	}
	if setDefault {
		p := NewProgress(f, "Setting "+d.Name+" as the default deployment of "+d.EndpointName)
		_, err := c.SetDefaultDeployment(ctx, d.EndpointName, d.Name, p.Wait(false))
		p.Done(err == nil)
		if err != nil {
			return err
		}
	}
	return f.Print(azml.DeploymentView(dep))
}
