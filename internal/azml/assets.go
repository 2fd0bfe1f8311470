package azml

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/google/uuid"

	"github.com/mlbatch/ml/internal/background"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
	"github.com/mlbatch/ml/internal/upload"
)

// UploadOptions tune the uploads behind asset registration. The zero value
// uploads with upload's defaults and reports nothing.
type UploadOptions struct {
	// Transfer tunes each upload (the zero value means upload's defaults).
	// Its AssetName, AssetVersion and Progress are set per asset.
	Transfer upload.Options
	// Plan is how local paths are planned (layout, hash cache).
	Plan upload.PlanOptions
	// Report, when set, returns the renderer of one upload, given what the
	// files are for ("code", "model heart-classifier", ...) and its plan.
	Report func(what string, plan *upload.Plan) UploadReporter
}

// UploadReporter renders one upload's progress (uploadui.Reporter is one).
type UploadReporter interface {
	// Event receives the upload's events.
	Event(upload.Event)
	// Done ends the report of a finished upload, now at destination.
	Done(res *upload.Result, destination string)
	// Abort ends the report of a failed upload.
	Abort()
}

// RegisteredAsset is an asset version the workspace holds.
type RegisteredAsset struct {
	Kind          spec.AssetKind
	Name, Version string
	// ID is the version's ARM id, what deployments reference.
	ID string
	// Created is false when an identical version existed and was reused.
	Created bool
	// Upload is the upload behind the asset, nil when nothing was uploaded
	// (a reference, a remote path, or an existing version reused).
	// Upload.Skipped tells a dedupe hit.
	Upload *upload.Result
	// Model is the model version as the service returned it, when a model
	// version was created.
	Model *armmachinelearning.ModelVersion
	// Environment is the environment version as the service returned it,
	// when one was created.
	Environment *armmachinelearning.EnvironmentVersion
}

// Assets registers the assets of one command (code, models, environments,
// data), opening each datastore once.
type Assets struct {
	c    *Client
	opts UploadOptions
	// stores are waits for the datastores opened (openDatastoreAhead), by
	// name.
	stores map[string]func() (*Datastore, error)
	// plans are upload plans made ahead, by local path: a tree of
	// components is planned whole (so a bad folder fails before anything
	// is uploaded), and the upload that follows takes its plan from here
	// rather than hashing the files again.
	// Each is a wait for the hash pass started by startPlan.
	plans map[string]func() (*upload.Plan, error)
}

// Assets returns a registrar for c.
func (c *Client) Assets(opts UploadOptions) *Assets {
	return &Assets{c: c, opts: opts, stores: map[string]func() (*Datastore, error){}, plans: map[string]func() (*upload.Plan, error){}}
}

// plan returns the upload plan of local path p: the one planAhead made
// (taken, so a later upload of the same path sees its files as they are
// then), else a new one.
func (a *Assets) plan(ctx context.Context, p string) (*upload.Plan, error) {
	planned, err := a.planInBackground(ctx, p)
	if err != nil {
		return nil, err
	}
	return planned()
}

// interruptedHash says what a Ctrl-C during the hash pass of path stopped.
func interruptedHash(path string, err error) error {
	if errors.Is(err, context.Canceled) {
		return &clierr.Error{Kind: clierr.KindInterrupted, Err: fmt.Errorf("interrupted while reading %s for its content hash; it was not uploaded and nothing more was registered", path)}
	}
	return err
}

// planInBackground is plan, with the content read beside the caller's
// round trips: the tree of p is listed and checked now (a bad path fails
// before any request), its files are hashed in the background, and the
// function returned waits for the plan.
func (a *Assets) planInBackground(ctx context.Context, p string) (func() (*upload.Plan, error), error) {
	if err := a.startPlan(ctx, p); err != nil {
		return nil, err
	}
	planned := a.plans[p]
	delete(a.plans, p)
	return planned, nil
}

// startPlan lists local path p now (a bad path fails here) and hashes it
// in the background, for plan, planAhead or planInBackground to take. A
// path already started is left as it is.
func (a *Assets) startPlan(ctx context.Context, p string) error {
	if _, ok := a.plans[p]; ok {
		return nil
	}
	l, err := upload.List(ctx, p, a.opts.Plan)
	if err != nil {
		return interruptedHash(p, err)
	}
	a.plans[p] = background.Start(func() (*upload.Plan, error) {
		pl, err := l.Hash(ctx)
		return pl, interruptedHash(p, err)
	})
	return nil
}

// openDatastoreAhead starts opening datastore name ("" =
// workspaceblobstore; its GET and listSecrets) in the background, for an
// upload that follows other round trips. Its error is reported only if
// the upload happens.
func (a *Assets) openDatastoreAhead(ctx context.Context, name string) {
	if name == "" {
		name = DefaultDatastore
	}
	if _, ok := a.stores[name]; !ok {
		a.stores[name] = background.Start(func() (*Datastore, error) { return a.c.OpenDatastore(ctx, name) })
	}
}

// planAhead plans the upload of local path p before anything is sent, so
// a path that cannot be uploaded, or read, fails first.
func (a *Assets) planAhead(ctx context.Context, p string) error {
	if err := a.startPlan(ctx, p); err != nil {
		return err
	}
	_, err := a.plans[p]()
	return err
}

// uploaded is where a local path landed on a datastore.
type uploaded struct {
	result    *upload.Result
	datastore string
	// storageURL is https://<account>.blob.<suffix>/<container>/<path>.
	storageURL string
}

// upload sends localPath to datastore ("" = workspaceblobstore) with the
// same content-hash layout and dedupe as invoke, marking it with the
// asset's name and version as az does.
func (a *Assets) upload(ctx context.Context, what string, plan *upload.Plan, datastore, name, version string) (*uploaded, error) {
	if datastore == "" {
		datastore = DefaultDatastore
	}
	ds, err := a.datastore(ctx, datastore)
	if err != nil {
		return nil, err
	}
	opts := a.opts.Transfer
	opts.AssetName, opts.AssetVersion = name, version
	var rep UploadReporter
	if a.opts.Report != nil {
		rep = a.opts.Report(what, plan)
		opts.Progress = rep.Event
	}
	res, err := upload.Execute(ctx, ds.Client, plan, opts)
	if err != nil {
		if rep != nil {
			rep.Abort()
		}
		return nil, ClassifyAuth(fmt.Errorf("upload %s (%s) to datastore %s: %w", what, plan.Source, datastore, err), a.c.getenv)
	}
	if rep != nil {
		rep.Done(res, res.URI(datastore, plan.IsDir))
	}
	return &uploaded{result: res, datastore: datastore, storageURL: ds.storageURL(res.RemotePath)}, nil
}

// datastore opens datastore name ("" = workspaceblobstore) once per
// command, or waits for the opening openDatastoreAhead started.
func (a *Assets) datastore(ctx context.Context, name string) (*Datastore, error) {
	if name == "" {
		name = DefaultDatastore
	}
	a.openDatastoreAhead(ctx, name)
	return a.stores[name]()
}

// storageURL is the https URL of remotePath in the datastore's container.
func (ds *Datastore) storageURL(remotePath string) string {
	return ds.AccountURL + "/" + ds.Container + "/" + remotePath
}

// longURI is the azureml://subscriptions/... form of a datastore path,
// which az writes into model versions.
func (c *Client) longURI(datastore, remotePath string) string {
	return fmt.Sprintf("azureml://subscriptions/%s/resourcegroups/%s/workspaces/%s/datastores/%s/paths/%s",
		c.T.Subscription, c.T.ResourceGroup, c.T.Workspace, datastore, remotePath)
}

// RegisterCode makes code_configuration.code a code version, as az does: a
// reference is resolved; a local folder is uploaded and registered as an
// anonymous code version (a random name and version 1, or the name the
// upload marker already carries when the same content was uploaded
// before, so unchanged code maps to the same version); a remote URI is
// registered as is.
func (a *Assets) RegisterCode(ctx context.Context, cs *spec.CodeSpec) (*RegisteredAsset, error) {
	if cs.Ref != nil {
		id, err := a.c.ResolveRef(ctx, cs.Ref)
		if err != nil {
			return nil, err
		}
		return &RegisteredAsset{Kind: spec.KindCode, ID: id, Name: cs.Ref.Name, Version: cs.Ref.Version}, nil
	}
	uri, name, version := cs.RemoteURI, uuid.NewString(), "1"
	var res *upload.Result
	if cs.Path != "" {
		plan, err := a.plan(ctx, cs.Path)
		if err != nil {
			return nil, err
		}
		up, err := a.upload(ctx, "code", plan, "", name, version)
		if err != nil {
			return nil, err
		}
		res, uri = up.result, up.storageURL
		if up.result.AssetName != "" && up.result.AssetVersion != "" {
			name, version = up.result.AssetName, up.result.AssetVersion
		}
	}
	r, err := a.c.putCodeVersion(ctx, name, version, uri)
	if err != nil {
		return nil, err
	}
	r.Upload = res
	return r, nil
}

// putCodeVersion registers codeURI as code name:version, reusing an
// identical existing version; if the name is taken by other content (an
// upload marker from another tool) a fresh anonymous name is used.
func (c *Client) putCodeVersion(ctx context.Context, name, version, codeURI string) (*RegisteredAsset, error) {
	client := c.arm.NewCodeVersionsClient()
	got, err := client.Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	switch {
	case err == nil && got.Properties != nil && sameURI(got.Properties.CodeURI, codeURI):
		return &RegisteredAsset{Kind: spec.KindCode, Name: name, Version: version, ID: idOrDefault(got.ID, c.versionID(spec.KindCode, name, version))}, nil
	case err == nil:
		name, version = uuid.NewString(), "1"
	case !statusIs(err, http.StatusNotFound):
		return nil, c.check(err, fmt.Sprintf("code %s:%s", name, version))
	}
	resp, err := client.CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, spec.CodeVersionBody(codeURI, true), nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("register code %s:%s", name, version))
	}
	return &RegisteredAsset{Kind: spec.KindCode, Name: name, Version: version, Created: true, ID: idOrDefault(resp.ID, c.versionID(spec.KindCode, name, version))}, nil
}

// RegisterModel registers an inline model as az does: its files are
// uploaded (with invoke's dedupe) and registered under its name, at its
// version or the next one; a model without a name is anonymous, named
// after its content. With no version given, the latest version is reused
// when it already points at the same files, so an unchanged model does
// not gain a version at each deploy.
func (a *Assets) RegisterModel(ctx context.Context, m *spec.Model) (*RegisteredAsset, error) {
	return a.registerModel(ctx, m, true)
}

// CreateModel registers model m as `az ml model create` does: a local path
// is uploaded (invoke's content-addressed layout and dedupe) and
// registered at m.Version, or at the container's next version when none
// is given (each create without --version adds a version, as in az). An
// existing version is reused when it holds the same files and refused
// when it holds others, in both cases before anything is uploaded.
func (a *Assets) CreateModel(ctx context.Context, m *spec.Model) (*RegisteredAsset, error) {
	return a.registerModel(ctx, m, false)
}

func (a *Assets) registerModel(ctx context.Context, m *spec.Model, reuseLatest bool) (*RegisteredAsset, error) {
	c := a.c
	name, version := m.Name, m.Version
	var plan *upload.Plan
	planned := func() (*upload.Plan, error) { return nil, nil }
	if !m.Remote {
		var err error
		if planned, err = a.planInBackground(ctx, m.Path); err != nil {
			return nil, err
		}
		a.openDatastoreAhead(ctx, m.Datastore)
		if name == "" { // the anonymous name is made from the hash
			if plan, err = planned(); err != nil {
				return nil, err
			}
		}
	}
	var latest string
	switch {
	case name == "" && plan != nil:
		name, version = spec.AnonymousModelName(plan.Hash), "1"
	case name == "":
		name, version = uuid.NewString(), "1"
	case version == "":
		var err error
		if latest, version, err = c.containerVersions(ctx, spec.KindModel, name); err != nil {
			return nil, err
		}
		if !reuseLatest {
			latest = ""
		}
	}
	if plan == nil {
		var err error
		if plan, err = planned(); err != nil {
			return nil, err
		}
	}
	datastore := m.Datastore
	if datastore == "" {
		datastore = DefaultDatastore
	}
	// uri is where the files will be: known before the upload, from the
	// content hash, so existing versions are checked first.
	uri := m.Path
	if plan != nil {
		uri = c.longURI(datastore, plan.RemotePath)
	}
	client := c.arm.NewModelVersionsClient()
	same := func(name, v string) (*RegisteredAsset, bool, error) {
		got, err := client.Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, v, nil)
		if statusIs(err, http.StatusNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, c.check(err, fmt.Sprintf("model %s:%s", name, v))
		}
		if got.Properties != nil && sameURI(got.Properties.ModelURI, uri) && strOf(got.Properties.ModelType) == m.Type {
			return &RegisteredAsset{Kind: spec.KindModel, Name: name, Version: v, ID: idOrDefault(got.ID, c.versionID(spec.KindModel, name, v))}, true, nil
		}
		return nil, true, nil
	}
	return reuseOrCreate(latest, version, func(v string) (*RegisteredAsset, bool, error) { return same(name, v) }, func() (*RegisteredAsset, error) {
		var res *upload.Result
		if plan != nil {
			up, err := a.upload(ctx, "model "+name, plan, datastore, name, version)
			if err != nil {
				return nil, err
			}
			res, uri = up.result, c.longURI(up.datastore, up.result.RemotePath)
			if m.Name == "" && up.result.AssetName != "" && up.result.AssetVersion != "" {
				// az names an anonymous asset after the upload it reuses.
				name, version = up.result.AssetName, up.result.AssetVersion
				if r, _, err := same(name, version); err != nil || r != nil {
					if r != nil {
						r.Upload = res
					}
					return r, err
				}
			}
		}
		resp, err := client.CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, m.ARM(uri), nil)
		if err != nil {
			return nil, c.check(err, fmt.Sprintf("register model %s:%s", name, version))
		}
		return &RegisteredAsset{Kind: spec.KindModel, Name: name, Version: version, Created: true, Upload: res,
			ID: idOrDefault(resp.ID, c.versionID(spec.KindModel, name, version)), Model: &resp.ModelVersion}, nil
	}, func() error {
		return clierr.Usagef("%s: model %s version %s already exists with other files or another type; model versions cannot change: give a new version, or leave the version out to register the next one (nothing was uploaded)", m.At, name, version)
	})
}

// reuseOrCreate registers an asset version as az does, but without
// duplicates: an identical latest version (when the user gave no version)
// or an identical existing version is reused; an existing version with other
// content is refused (versions are immutable); otherwise create makes it.
// same(v) reports the reusable asset, or whether v exists at all.
func reuseOrCreate(latest, version string, same func(v string) (*RegisteredAsset, bool, error), create func() (*RegisteredAsset, error), changed func() error) (*RegisteredAsset, error) {
	if latest != "" {
		if r, _, err := same(latest); err != nil || r != nil {
			return r, err
		}
	}
	r, exists, err := same(version)
	if err != nil || r != nil {
		return r, err
	}
	if exists {
		return nil, changed()
	}
	return create()
}

// RegisterEnvironment registers an inline environment as az does: without
// a name as CliV2AnonymousEnvironment with a content-hash version; with a
// name at its version or the next one (reusing the latest version when it
// is identical). A local build context is uploaded first.
func (a *Assets) RegisterEnvironment(ctx context.Context, e *spec.Environment) (*RegisteredAsset, error) {
	return a.registerEnvironment(ctx, e, true)
}

// CreateEnvironment registers environment e as `az ml environment create`
// does: at e.Version, or at the container's next version when none is
// given (each create without --version adds a version, as in az). An
// existing version is reused when it is identical and refused when it
// differs. A local build context is uploaded first.
func (a *Assets) CreateEnvironment(ctx context.Context, e *spec.Environment) (*RegisteredAsset, error) {
	return a.registerEnvironment(ctx, e, false)
}

func (a *Assets) registerEnvironment(ctx context.Context, e *spec.Environment, reuseLatest bool) (*RegisteredAsset, error) {
	c := a.c
	var contextURI, buildHash string
	var plan *upload.Plan
	datastore := e.Datastore
	if datastore == "" {
		datastore = DefaultDatastore
	}
	if e.BuildPath != "" && !e.BuildRemote {
		var err error
		if plan, err = a.plan(ctx, e.BuildPath); err != nil {
			return nil, err
		}
		ds, err := a.datastore(ctx, datastore)
		if err != nil {
			return nil, err
		}
		// Where the context will be, known from its content hash, so
		// existing versions are checked before anything is uploaded. The
		// environment service wants the context URI to end in "/".
		buildHash, contextURI = plan.Hash, ds.storageURL(plan.RemotePath)+"/"
	}
	body := e.ARM(contextURI)
	name, version := e.Name, e.Version
	var latest string
	switch {
	case name == "":
		name, version = spec.AnonymousEnvironmentName, e.AnonymousVersion(buildHash)
	case version == "":
		var err error
		if latest, version, err = c.containerVersions(ctx, spec.KindEnvironment, name); err != nil {
			return nil, err
		}
		if !reuseLatest {
			latest = ""
		}
	}
	client := c.arm.NewEnvironmentVersionsClient()
	var res *upload.Result
	same := func(v string) (*RegisteredAsset, bool, error) {
		got, err := client.Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, v, nil)
		if statusIs(err, http.StatusNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, c.check(err, fmt.Sprintf("environment %s:%s", name, v))
		}
		if sameEnvironment(got.Properties, body.Properties) {
			return &RegisteredAsset{Kind: spec.KindEnvironment, Name: name, Version: v, ID: idOrDefault(got.ID, c.versionID(spec.KindEnvironment, name, v)), Upload: res}, true, nil
		}
		return nil, true, nil
	}
	return reuseOrCreate(latest, version, same, func() (*RegisteredAsset, error) {
		if plan != nil {
			up, err := a.upload(ctx, "environment build context", plan, datastore, name, version)
			if err != nil {
				return nil, err
			}
			res = up.result
			body = e.ARM(up.storageURL + "/")
		}
		resp, err := client.CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, body, nil)
		if err != nil {
			return nil, c.check(err, fmt.Sprintf("register environment %s:%s", name, version))
		}
		return &RegisteredAsset{Kind: spec.KindEnvironment, Name: name, Version: version, Created: true, Upload: res,
			ID: idOrDefault(resp.ID, c.versionID(spec.KindEnvironment, name, version)), Environment: &resp.EnvironmentVersion}, nil
	}, func() error {
		return clierr.Usagef("%s: environment %s version %s already exists with another image, conda file or build context; environment versions cannot change: give a new version, or leave the version out to register the next one (nothing was uploaded)", e.At, name, version)
	})
}

// sameEnvironment compares what defines an environment version.
func sameEnvironment(got, want *armmachinelearning.EnvironmentVersionProperties) bool {
	if got == nil || want == nil {
		return false
	}
	ctx := func(b *armmachinelearning.BuildContext) (string, string) {
		if b == nil {
			return "", ""
		}
		return strOf(b.ContextURI), strOf(b.DockerfilePath)
	}
	gc, gd := ctx(got.Build)
	wc, wd := ctx(want.Build)
	return strOf(got.Image) == strOf(want.Image) && strings.TrimSpace(strOf(got.CondaFile)) == strings.TrimSpace(strOf(want.CondaFile)) &&
		gc == wc && gd == wd
}

// CreateData registers a data asset version as `az ml data create` does:
// a local path is uploaded (same dedupe as invoke) to the asset's
// datastore; a remote path is registered as is. Without a version the
// container's next version is used.
func (a *Assets) CreateData(ctx context.Context, d *spec.DataAsset) (*armmachinelearning.DataVersionBase, error) {
	c := a.c
	var planned func() (*upload.Plan, error)
	if d.Local {
		var err error
		if planned, err = a.planInBackground(ctx, d.Path); err != nil {
			return nil, err
		}
		a.openDatastoreAhead(ctx, d.Datastore)
	}
	version := d.Version
	if version == "" {
		var err error
		if _, version, err = c.containerVersions(ctx, spec.KindData, d.Name); err != nil {
			return nil, err
		}
	}
	uri := d.Path
	if d.Local {
		plan, err := planned()
		if err != nil {
			return nil, err
		}
		up, err := a.upload(ctx, "data "+d.Name, plan, d.Datastore, d.Name, version)
		if err != nil {
			return nil, err
		}
		uri = upload.DatastoreURI(up.datastore, up.result.RemotePath, d.Type != spec.DataURIFile)
	}
	resp, err := c.arm.NewDataVersionsClient().CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, d.Name, version, d.ARM(uri), nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("create data asset %s:%s", d.Name, version))
	}
	out := resp.DataVersionBase
	if out.ID == nil {
		out.ID = refTo(c.versionID(spec.KindData, d.Name, version))
	}
	if out.Name == nil {
		out.Name = refTo(version)
	}
	return &out, nil
}

// ResolveRef turns a reference into the ARM id a deployment carries, as az
// does: name:version is built locally (no request); name@latest asks the
// container for its latest version; ARM ids and registry URIs are sent as
// written.
func (c *Client) ResolveRef(ctx context.Context, r *spec.Ref) (string, error) {
	switch {
	case r.ID != "":
		return r.ID, nil
	case r.Version != "":
		return c.versionID(r.Kind, r.Name, r.Version), nil
	case r.Label != "latest":
		return "", clierr.Usagef("%s: %s: only the label latest exists (azureml:%s@latest); or give a version: azureml:%s:<version>", r.At, r.Raw, r.Name, r.Name)
	}
	var latest string
	var err error
	switch r.Kind {
	// As az resolves @latest: the newest active version (an archived
	// version is skipped).
	case spec.KindModel:
		latest, err = c.ModelVersionByLabel(ctx, r.Name, r.Label)
	case spec.KindEnvironment:
		latest, err = c.EnvironmentVersionByLabel(ctx, r.Name, r.Label)
	default:
		latest, _, err = c.containerVersions(ctx, r.Kind, r.Name)
	}
	if clierr.IsNotFound(err) {
		return "", &clierr.NotFoundError{Err: fmt.Errorf("%s: %s: %w", r.At, r.Raw, err)}
	}
	if err != nil {
		return "", err
	}
	if latest == "" {
		return "", &clierr.NotFoundError{Err: fmt.Errorf("%s: %s %s has no versions in workspace %s; register one or give azureml:%s:<version>", r.At, r.Kind.Singular(), r.Name, c.T.Workspace, r.Name)}
	}
	return c.versionID(r.Kind, r.Name, latest), nil
}

// containerVersions returns the latest and next version of asset name
// ("" and "1" when it has no container yet, as az starts at 1).
func (c *Client) containerVersions(ctx context.Context, kind spec.AssetKind, name string) (latest, next string, err error) {
	rg, ws := c.T.ResourceGroup, c.T.Workspace
	var props *armmachinelearning.AssetContainer
	switch kind {
	case spec.KindModel:
		var r armmachinelearning.ModelContainersClientGetResponse
		if r, err = c.arm.NewModelContainersClient().Get(ctx, rg, ws, name, nil); err == nil && r.Properties != nil {
			props = &armmachinelearning.AssetContainer{LatestVersion: r.Properties.LatestVersion, NextVersion: r.Properties.NextVersion}
		}
	case spec.KindEnvironment:
		var r armmachinelearning.EnvironmentContainersClientGetResponse
		if r, err = c.arm.NewEnvironmentContainersClient().Get(ctx, rg, ws, name, nil); err == nil && r.Properties != nil {
			props = &armmachinelearning.AssetContainer{LatestVersion: r.Properties.LatestVersion, NextVersion: r.Properties.NextVersion}
		}
	case spec.KindData:
		var r armmachinelearning.DataContainersClientGetResponse
		if r, err = c.arm.NewDataContainersClient().Get(ctx, rg, ws, name, nil); err == nil && r.Properties != nil {
			props = &armmachinelearning.AssetContainer{LatestVersion: r.Properties.LatestVersion, NextVersion: r.Properties.NextVersion}
		}
	case spec.KindCode:
		var r armmachinelearning.CodeContainersClientGetResponse
		if r, err = c.arm.NewCodeContainersClient().Get(ctx, rg, ws, name, nil); err == nil && r.Properties != nil {
			props = &armmachinelearning.AssetContainer{LatestVersion: r.Properties.LatestVersion, NextVersion: r.Properties.NextVersion}
		}
	case spec.KindComponent:
		var r armmachinelearning.ComponentContainersClientGetResponse
		if r, err = c.arm.NewComponentContainersClient().Get(ctx, rg, ws, name, nil); err == nil && r.Properties != nil {
			props = &armmachinelearning.AssetContainer{LatestVersion: r.Properties.LatestVersion, NextVersion: r.Properties.NextVersion}
		}
	default:
		return "", "", fmt.Errorf("no containers for asset kind %q", kind)
	}
	if statusIs(err, http.StatusNotFound) {
		return "", "1", nil
	}
	if err != nil {
		return "", "", c.check(err, fmt.Sprintf("%s %s", kind.Singular(), name))
	}
	if props != nil {
		latest, next = strOf(props.LatestVersion), strOf(props.NextVersion)
	}
	if next == "" {
		// Containers without nextVersion: one past a numeric latest.
		next = "1"
		if n, err := strconv.Atoi(latest); err == nil {
			next = strconv.Itoa(n + 1)
		}
	}
	return latest, next, nil
}

// versionID is the ARM id of an asset version of this workspace.
func (c *Client) versionID(kind spec.AssetKind, name, version string) string {
	return spec.VersionID(c.T.WorkspaceID(), kind, name, version)
}

// statusIs reports whether err is an ARM response with the given status.
func statusIs(err error, status int) bool {
	var resp *azcore.ResponseError
	return errors.As(err, &resp) && resp.StatusCode == status
}

// sameURI compares storage URIs, ignoring a trailing "/".
func sameURI(p *string, s string) bool {
	return p != nil && strings.TrimSuffix(*p, "/") == strings.TrimSuffix(s, "/")
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func idOrDefault(id *string, fallback string) string {
	if id != nil && *id != "" {
		return *id
	}
	return fallback
}

func refTo[T any](v T) *T { return &v }
