package invoke

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/background"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/upload"
	"github.com/mlbatch/ml/internal/uploadui"
)

func invokeRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if err := opts.Follow.validate(); err != nil {
		return err
	}
	inv, err := invocation.Build(ctx, opts.Flags, f.IOStreams.In)
	if err != nil {
		return err
	}
	typeGiven := opts.Flags.InputType != ""
	inferSingleInputType(inv, typeGiven)
	uploadOpts, err := upload.OptionsFromEnv()
	if err != nil {
		return clierr.Usagef("%v", err)
	}
	plan, err := newPlan(ctx, inv, manage.PlanOptions(f, uploadOpts))
	if err != nil {
		return err
	}
	if opts.DryRun {
		result, err := plan.dryRun(ctx)
		if err != nil {
			return err
		}
		return f.Print(result)
	}
	// Everything that can be checked is checked before the first byte is
	// uploaded: the deployment, the endpoint, the inputs against the
	// deployment's type, the data assets. Reading the local inputs for
	// az's content hash, opening the datastore and fetching the scoring
	// token depend on none of it, so they run beside the checks and the
	// invoke waits for its longest chain, not for the sum
	// (BenchmarkInvokeRoundTrips, internal/cmd/localtest). None changes
	// the workspace; a failed check cancels them.
	asideCtx, cancelAside := context.WithCancel(ctx)
	defer cancelAside()
	hashed := plan.startHash(asideCtx)
	c, err := f.Client()
	if err != nil {
		return err
	}
	f.Info("target: %s, workspace %s", c.T.Cloud.Name, c.T.WorkspaceID())

	c.PrefetchScoringToken(ctx)
	datastore := plan.openDatastore(asideCtx, c)
	ep, dep, err := endpointAndDeployment(ctx, c, inv)
	if err != nil {
		return err
	}
	if dep.Name != nil {
		f.Info("endpoint %s: scoring URI %s, deployment %s", inv.Endpoint, *ep.Properties.ScoringURI, *dep.Name)
	}
	if err := checkDeployment(dep, inv); err != nil {
		return err
	}
	if err := checkPipelineDeployment(ctx, c, dep, inv); err != nil {
		return err
	}
	if err := plan.resolveReferences(ctx, c, typeGiven); err != nil {
		return err
	}
	if err := hashed(); err != nil {
		return err
	}
	ds, err := datastore()
	if err != nil {
		return err
	}
	if err := plan.execute(ctx, f, ds, uploadOpts); err != nil {
		return err
	}
	body, err := plan.request()
	if err != nil {
		return err
	}
	for name, uri := range plan.resolved {
		f.Info("input %s: %s", name, uri)
	}
	job, err := c.Invoke(ctx, azml.InvokeRequest{ScoringURI: *ep.Properties.ScoringURI, Deployment: inv.Deployment, Body: body})
	if err != nil {
		return err
	}
	if opts.Follow.enabled() {
		deployment := ""
		if dep.Name != nil {
			deployment = *dep.Name
		}
		return followJob(ctx, f, c, job, inv.Endpoint, deployment, opts.Follow)
	}
	return f.Print(job)
}

// endpointAndDeployment fetches the endpoint and the deployment that runs
// the invocation: the one named with -d (listed beside the endpoint's GET,
// as az checks it) or the endpoint's default.
func endpointAndDeployment(ctx context.Context, c *azml.Client, inv *invocation.Invocation) (*armmachinelearning.BatchEndpoint, *armmachinelearning.BatchDeployment, error) {
	var named *armmachinelearning.BatchDeployment
	var namedErr error
	var wg sync.WaitGroup
	if inv.Deployment != "" {
		wg.Go(func() { named, namedErr = c.ValidateDeployment(ctx, inv.Endpoint, inv.Deployment) })
	}
	ep, err := c.GetEndpoint(ctx, inv.Endpoint)
	wg.Wait()
	if namedErr != nil {
		return nil, nil, namedErr
	}
	if err != nil {
		return nil, nil, err
	}
	if ep.Properties == nil || ep.Properties.ScoringURI == nil || *ep.Properties.ScoringURI == "" {
		return nil, nil, fmt.Errorf("batch endpoint %q has no scoring URI yet (provisioning state %s); try again when it has been created", inv.Endpoint, provisioningState(ep))
	}
	if named != nil {
		return ep, named, nil
	}
	name := defaultDeployment(ep)
	if name == "" {
		return nil, nil, clierr.Usagef("Set a default deployment or provide a deployment name through cli command: batch endpoint %q has no default deployment; pass -d/--deployment-name or run `ml batch-endpoint update -n %s --set defaults.deployment_name=<deployment>`", inv.Endpoint, inv.Endpoint)
	}
	dep, err := c.GetDeployment(ctx, inv.Endpoint, name)
	if err != nil {
		return nil, nil, err
	}
	return ep, dep, nil
}

// openDatastore starts opening the default datastore (its GET and
// listSecrets) when the plan has uploads; the function returned waits for
// it, and returns nil without uploads.
func (p *invokePlan) openDatastore(ctx context.Context, c *azml.Client) func() (*azml.Datastore, error) {
	if len(p.uploads) == 0 {
		return func() (*azml.Datastore, error) { return nil, nil }
	}
	return background.Start(func() (*azml.Datastore, error) { return c.OpenDatastore(ctx, azml.DefaultDatastore) })
}

// execute uploads every planned local input to the datastore ds and
// records its URI. An interrupted or failed upload returns an error, so no
// job is created.
func (p *invokePlan) execute(ctx context.Context, f *cmdutil.Factory, ds *azml.Datastore, opts upload.Options) error {
	if len(p.uploads) == 0 {
		return nil
	}
	quiet := f.Globals.OnlyShowErrors
	for i := range p.uploads {
		u := &p.uploads[i]
		rep := uploadui.New(f.IOStreams.ErrOut, f.IOStreams.IsStderrTTY(), quiet, u.input, u.plan)
		opts.Progress = rep.Event
		res, err := upload.Execute(ctx, ds.Client, u.plan, opts)
		if err != nil {
			rep.Abort()
			if errors.Is(err, context.Canceled) {
				return &clierr.Error{Kind: clierr.KindInterrupted, Err: fmt.Errorf("upload of %s interrupted; no job was created", u.plan.Source)}
			}
			return azml.ClassifyAuth(fmt.Errorf("upload of %s to datastore %s failed; no job was created: %w", u.plan.Source, ds.Name, err), f.Getenv)
		}
		u.uri = res.URI(ds.Name, u.asFolder)
		p.resolved[u.input] = u.uri
		rep.Done(res, u.uri)
	}
	return nil
}

func defaultDeployment(ep *armmachinelearning.BatchEndpoint) string {
	if ep.Properties != nil && ep.Properties.Defaults != nil && ep.Properties.Defaults.DeploymentName != nil {
		return *ep.Properties.Defaults.DeploymentName
	}
	return ""
}

func provisioningState(ep *armmachinelearning.BatchEndpoint) string {
	if ep.Properties != nil && ep.Properties.ProvisioningState != nil {
		return string(*ep.Properties.ProvisioningState)
	}
	return "unknown"
}
