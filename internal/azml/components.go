package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
	"github.com/mlbatch/ml/internal/upload"
)

// Components as `az ml component create|show|list|archive` handle them:
// registering a component tree as azure-ai-ml's ComponentOperations does
// (children anonymous, code uploaded, environments registered), reading
// component versions back, and archiving.

// GetComponentVersion returns version of component name.
func (c *Client) GetComponentVersion(ctx context.Context, name, version string) (*armmachinelearning.ComponentVersion, error) {
	resp, err := c.arm.NewComponentVersionsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("component %s version %s", name, version))
	}
	return &resp.ComponentVersion, nil
}

// GetComponentByLabel returns the version of component name that label
// (latest, the one label Azure ML defines) points at.
func (c *Client) GetComponentByLabel(ctx context.Context, name, label string) (*armmachinelearning.ComponentVersion, error) {
	if label != "latest" {
		return nil, clierr.Usagef("--label %s: components have one label, latest; pass --label latest or --version <version>", label)
	}
	latest, _, err := c.containerVersions(ctx, spec.KindComponent, name)
	if err != nil {
		return nil, err
	}
	if latest == "" {
		return nil, clierr.NotFoundf("component %s has no versions in workspace %s, so label latest resolves to nothing; create one with `ml component create -f <component.yml>`", name, c.T.Workspace)
	}
	return c.GetComponentVersion(ctx, name, latest)
}

// ListComponentContainers returns the workspace's components (one entry
// per name); max > 0 stops after that many.
func (c *Client) ListComponentContainers(ctx context.Context, max int, view ListView) ([]*armmachinelearning.ComponentContainer, error) {
	pager := c.arm.NewComponentContainersClient().NewListPager(c.T.ResourceGroup, c.T.Workspace,
		&armmachinelearning.ComponentContainersClientListOptions{ListViewType: view.arm()})
	return collect(ctx, c, pager, func(p armmachinelearning.ComponentContainersClientListResponse) []*armmachinelearning.ComponentContainer {
		return p.Value
	}, max, "list components")
}

// ListComponentVersions returns the versions of component name; an
// unknown name is a not-found error.
func (c *Client) ListComponentVersions(ctx context.Context, name string, max int, view ListView) ([]*armmachinelearning.ComponentVersion, error) {
	pager := c.arm.NewComponentVersionsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, name,
		&armmachinelearning.ComponentVersionsClientListOptions{ListViewType: view.arm()})
	out, err := collect(ctx, c, pager, func(p armmachinelearning.ComponentVersionsClientListResponse) []*armmachinelearning.ComponentVersion {
		return p.Value
	}, max, fmt.Sprintf("versions of component %s", name))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := c.arm.NewComponentContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil); err != nil {
			return nil, c.check(err, fmt.Sprintf("component %s", name))
		}
	}
	return out, nil
}

// ArchiveComponent archives (or, with archived false, restores) a
// component as az does: with a version (or label) that version, else the
// whole component (its container). It GETs the resource and PUTs it back
// with isArchived set.
func (c *Client) ArchiveComponent(ctx context.Context, name, version, label string, archived bool) error {
	if label != "" {
		cv, err := c.GetComponentByLabel(ctx, name, label)
		if err != nil {
			return err
		}
		version = nameOfID(cv.ID, version)
	}
	rg, ws := c.T.ResourceGroup, c.T.Workspace
	if version != "" {
		cv, err := c.GetComponentVersion(ctx, name, version)
		if err != nil {
			return err
		}
		body := armmachinelearning.ComponentVersion{Properties: cv.Properties}
		if body.Properties == nil {
			body.Properties = &armmachinelearning.ComponentVersionProperties{}
		}
		body.Properties.IsArchived = refTo(archived)
		body.Properties.ProvisioningState = nil
		if _, err := c.arm.NewComponentVersionsClient().CreateOrUpdate(ctx, rg, ws, name, version, body, nil); err != nil {
			return c.check(err, fmt.Sprintf("archive component %s version %s", name, version))
		}
		return nil
	}
	cc, err := c.arm.NewComponentContainersClient().Get(ctx, rg, ws, name, nil)
	if err != nil {
		return c.check(err, fmt.Sprintf("component %s", name))
	}
	p := cc.Properties
	if p == nil {
		p = &armmachinelearning.ComponentContainerProperties{}
	}
	body := armmachinelearning.ComponentContainer{Properties: &armmachinelearning.ComponentContainerProperties{
		Description: p.Description, Tags: p.Tags, Properties: p.Properties, IsArchived: refTo(archived)}}
	if _, err := c.arm.NewComponentContainersClient().CreateOrUpdate(ctx, rg, ws, name, body, nil); err != nil {
		return c.check(err, fmt.Sprintf("archive component %s", name))
	}
	return nil
}

// nameOfID is the last segment of an ARM id (a version's name), else
// fallback.
func nameOfID(id *string, fallback string) string {
	if id == nil || *id == "" {
		return fallback
	}
	return (*id)[strings.LastIndex(*id, "/")+1:]
}

// componentNameVersion reads name and version out of a component
// version's ARM id.
func componentNameVersion(id string) (name, version string, ok bool) {
	return versionOfID(id, "components")
}

// versionOfID reads name and version out of the ARM id (azureml: prefix
// allowed) of a version of an asset of the collection ("components",
// "codes").
func versionOfID(id, collection string) (name, version string, ok bool) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(id, "azureml:"), "/"), "/")
	for i := len(segs) - 4; i >= 0; i-- {
		if strings.EqualFold(segs[i], collection) && strings.EqualFold(segs[i+2], "versions") {
			return segs[i+1], segs[i+3], true
		}
	}
	return "", "", false
}

// FetchComponent returns the component ref names, decoded from its stored
// componentSpec, and its version's ARM id. A registry component
// (azureml://registries/...) cannot be read through the workspace: it
// returns nil and the reference as its id.
func (c *Client) FetchComponent(ctx context.Context, ref *spec.Ref) (*spec.Component, string, error) {
	if ref.IsRegistry() {
		return nil, ref.ID, nil
	}
	name, version := ref.Name, ref.Version
	if ref.ID != "" {
		var ok bool
		if name, version, ok = componentNameVersion(ref.ID); !ok {
			return nil, "", clierr.Usagef("%s: %s is not the ARM id of a component version (…/components/<name>/versions/<version>)", ref.At, ref.Raw)
		}
	}
	var cv *armmachinelearning.ComponentVersion
	var err error
	if version != "" {
		cv, err = c.GetComponentVersion(ctx, name, version)
	} else {
		cv, err = c.GetComponentByLabel(ctx, name, ref.Label)
	}
	if err != nil {
		if ref.At != "" && clierr.IsNotFound(err) {
			return nil, "", &clierr.NotFoundError{Err: fmt.Errorf("%s: %w; register it first with `ml component create`", ref.At, err)}
		}
		return nil, "", err
	}
	id := idOrDefault(cv.ID, c.versionID(spec.KindComponent, name, nameOfID(cv.ID, version)))
	if _, v, ok := componentNameVersion(id); ok {
		version = v
	}
	comp, err := componentOf(cv, name+":"+version)
	return comp, id, err
}

// componentOf decodes a component version's stored spec.
func componentOf(cv *armmachinelearning.ComponentVersion, label string) (*spec.Component, error) {
	if cv.Properties == nil || cv.Properties.ComponentSpec == nil {
		return nil, fmt.Errorf("component %s has no componentSpec", label)
	}
	doc, err := asDoc(cv.Properties.ComponentSpec)
	if err != nil {
		return nil, fmt.Errorf("component %s: componentSpec is not an object: %w", label, err)
	}
	return spec.ComponentFromDoc(label, doc)
}

// asDoc turns a decoded JSON value into a map through JSON.
func asDoc(v any) (map[string]any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(data, &m)
}

// CreateComponent registers component c (`ml component create`) as az
// does, and returns the version as the service has it. The whole tree is
// checked and resolved first (referenced children fetched and the steps
// checked against them, references resolved, every local folder planned),
// so a bad input fails before anything is uploaded; then, bottom-up, code
// is uploaded and registered, inline environments registered, children
// registered as anonymous components, and c itself under its name, at
// its version or the next one (an identical latest version is reused).
func (a *Assets) CreateComponent(ctx context.Context, c *spec.Component) (*armmachinelearning.ComponentVersion, error) {
	t := a.newTree()
	if err := t.resolveComponent(ctx, c); err != nil {
		return nil, err
	}
	if err := t.checkVersionFree(ctx, c); err != nil {
		return nil, err
	}
	if err := t.registerDeps(ctx, c); err != nil {
		return nil, err
	}
	return a.putNamedComponent(ctx, c, t.r)
}

// checkVersionFree refuses, before anything is uploaded, a version given
// in the file or by --version that already exists with another
// definition: the stored spec is compared with c's, leaving out the ids
// only the upload and registration decide (code, environments, the
// children a pipeline registers), and c's own local code folder is
// compared by its content hash with the code the stored version runs. A
// change in a child's code alone is still caught, after the upload, by
// putNamedComponent.
func (t *assetTree) checkVersionFree(ctx context.Context, c *spec.Component) error {
	if c.Name == "" || c.Version == "" {
		return nil
	}
	cl := t.a.c
	got, err := cl.arm.NewComponentVersionsClient().Get(ctx, cl.T.ResourceGroup, cl.T.Workspace, c.Name, c.Version, nil)
	if statusIs(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return cl.check(err, fmt.Sprintf("component %s:%s", c.Name, c.Version))
	}
	if got.Properties == nil {
		return nil
	}
	stored, err := asDoc(got.Properties.ComponentSpec)
	if err != nil {
		return versionTaken(c, c.Version)
	}
	if !sameComponent(stored, c.Spec(t.r, false), false) {
		return versionTaken(c, c.Version)
	}
	if cs := c.Code; cs != nil && cs.Path != "" {
		if planned, ok := t.a.plans[cs.Path]; ok {
			plan, err := planned() // planAhead has waited for it already
			if err != nil {
				return err
			}
			if storedCode, _ := stored["code"].(string); !t.codeHolds(ctx, storedCode, plan.Hash) {
				return versionTaken(c, c.Version)
			}
		}
	}
	return nil
}

// codeHolds reports whether code version id (azureml:<ARM id>) points at
// uploaded content with hash.
func (t *assetTree) codeHolds(ctx context.Context, id, hash string) bool {
	name, version, ok := versionOfID(id, "codes")
	if !ok {
		return false
	}
	cl := t.a.c
	got, err := cl.arm.NewCodeVersionsClient().Get(ctx, cl.T.ResourceGroup, cl.T.Workspace, name, version, nil)
	return err == nil && got.Properties != nil && strings.Contains(strOf(got.Properties.CodeURI), "/"+hash+"/")
}

// withoutIDs is a componentSpec without the ids registration fills in.
func withoutIDs(s map[string]any) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch k {
		case "code", "environment":
			continue
		case "task":
			if m, ok := v.(map[string]any); ok {
				v = withoutIDs(m)
			}
		case "jobs":
			if jobs, ok := v.(map[string]any); ok {
				stripped := make(map[string]any, len(jobs))
				for name, j := range jobs {
					if m, ok := j.(map[string]any); ok {
						m = withoutIDs(m)
						delete(m, "componentId")
						j = m
					}
					stripped[name] = j
				}
				v = stripped
			}
		}
		out[k] = v
	}
	return out
}

// versionTaken is the error for a component version that exists with
// another definition.
func versionTaken(c *spec.Component, version string) error {
	return clierr.Usagef("%s: component %s version %s already exists with another definition; component versions cannot change: give a new version (--version, or drop version: to use the next one)", c.At, c.Name, version)
}

// RegisterPipelineComponent registers the pipeline component a
// deployment gives as a file or inline, as az does, and returns its
// version's ARM id: with a name as CreateComponent registers it, without
// one as an anonymous component.
func (a *Assets) RegisterPipelineComponent(ctx context.Context, c *spec.Component) (string, error) {
	if c.Name != "" {
		cv, err := a.CreateComponent(ctx, c)
		if err != nil {
			return "", err
		}
		return strOf(cv.ID), nil
	}
	t := a.newTree()
	if err := t.resolveComponent(ctx, c); err != nil {
		return "", err
	}
	if err := t.registerDeps(ctx, c); err != nil {
		return "", err
	}
	return a.putAnonymousComponent(ctx, c, t.r)
}

// RegisterJobComponent registers the component of a pipeline deployment
// given as job_definition: azureml:<job>, as azure-ai-ml does: an
// anonymous pipeline component whose spec names the job (sourceJobId) and
// which the service builds from that job. The job must exist.
func (a *Assets) RegisterJobComponent(ctx context.Context, job, at string) (string, error) {
	c := a.c
	name := strings.TrimPrefix(job, "azureml:")
	if i := strings.LastIndex(name, "/jobs/"); i >= 0 {
		name = name[i+len("/jobs/"):]
	}
	got, err := c.GetJob(ctx, name)
	if err != nil {
		if clierr.IsNotFound(err) {
			return "", &clierr.NotFoundError{Err: fmt.Errorf("%s: job_definition: %w", at, err)}
		}
		return "", err
	}
	if got.Properties == nil || got.Properties.GetJobBaseProperties().JobType == nil || *got.Properties.GetJobBaseProperties().JobType != armmachinelearning.JobTypePipeline {
		return "", clierr.Usagef("%s: job_definition: job %s is not a pipeline job; deploy a pipeline job (type: pipeline)", at, name)
	}
	sourceID := idOrDefault(got.ID, c.T.WorkspaceID()+"/jobs/"+name)
	componentSpec := map[string]any{"type": string(spec.ComponentPipeline), "name": spec.AnonymousComponentName, "version": "1",
		"jobs": map[string]any{}, "sourceJobId": sourceID, "_source": "CLASS"}
	version := spec.AnonymousVersion(componentSpec)
	body := armmachinelearning.ComponentVersion{Properties: &armmachinelearning.ComponentVersionProperties{
		ComponentSpec: componentSpec, IsAnonymous: refTo(true), Properties: map[string]*string{}}}
	resp, err := c.arm.NewComponentVersionsClient().CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, spec.AnonymousComponentName, version, body, nil)
	if err != nil {
		return "", c.check(err, fmt.Sprintf("register the pipeline of job %s as a component", name))
	}
	return idOrDefault(resp.ID, c.versionID(spec.KindComponent, spec.AnonymousComponentName, version)), nil
}

// putNamedComponent PUTs c under its name once its dependencies are
// registered in r.
func (a *Assets) putNamedComponent(ctx context.Context, c *spec.Component, r *spec.Registered) (*armmachinelearning.ComponentVersion, error) {
	cl := a.c
	name, version := c.Name, c.Version
	var latest string
	if version == "" {
		var err error
		if latest, version, err = cl.containerVersions(ctx, spec.KindComponent, name); err != nil {
			return nil, err
		}
	}
	body := c.ARM(r, false)
	client := cl.arm.NewComponentVersionsClient()
	var found *armmachinelearning.ComponentVersion
	same := func(v string) (*RegisteredAsset, bool, error) {
		got, err := client.Get(ctx, cl.T.ResourceGroup, cl.T.Workspace, name, v, nil)
		if statusIs(err, http.StatusNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, cl.check(err, fmt.Sprintf("component %s:%s", name, v))
		}
		if got.Properties != nil && sameComponent(got.Properties.ComponentSpec, body.Properties.ComponentSpec, true) {
			found = &got.ComponentVersion
			return &RegisteredAsset{Kind: spec.KindComponent, Name: name, Version: v}, true, nil
		}
		return nil, true, nil
	}
	_, err := reuseOrCreate(latest, version, same, func() (*RegisteredAsset, error) {
		resp, err := client.CreateOrUpdate(ctx, cl.T.ResourceGroup, cl.T.Workspace, name, version, body, nil)
		if err != nil {
			return nil, cl.check(err, fmt.Sprintf("register component %s:%s", name, version))
		}
		found = &resp.ComponentVersion
		return &RegisteredAsset{Kind: spec.KindComponent, Name: name, Version: version, Created: true}, nil
	}, func() error { return versionTaken(c, version) })
	if err != nil {
		return nil, err
	}
	if found.ID == nil {
		found.ID = refTo(cl.versionID(spec.KindComponent, name, version))
	}
	return found, nil
}

// sameComponent compares a stored componentSpec with one ml sends, both
// in the form the service stores (see storedForm), so what the service
// returns equals what ml sent. The version key is left out: the versions
// compared are the same (the one in the URL), but a version registered
// without one in its file has none in its spec. With ids false, the ids
// registration fills in are left out too (see withoutIDs).
func sameComponent(stored, sent any, ids bool) bool {
	a, aok := jsonValue(stored).(map[string]any)
	b, bok := jsonValue(sent).(map[string]any)
	if !aok || !bok {
		return false
	}
	delete(a, "version")
	delete(b, "version")
	if !ids {
		a, b = withoutIDs(a), withoutIDs(b)
	}
	ja, err1 := json.Marshal(storedForm(a, ""))
	jb, err2 := json.Marshal(storedForm(b, ""))
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// jsonValue is v as encoding/json decodes it (maps, float64s), nil when it
// does not encode.
func jsonValue(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return nil
	}
	return out
}

// storedForm is a decoded componentSpec as the service stores one: every
// boolean and number as Python's str() text ("True", "0.5"), and ports
// without the name the service adds and without optional "False", which
// is what no optional means.
func storedForm(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			x = storedForm(x, k)
			if port, ok := x.(map[string]any); ok && (key == "inputs" || key == "outputs") {
				if port["name"] == k {
					delete(port, "name")
				}
				if port["optional"] == "False" {
					delete(port, "optional")
				}
			}
			out[k] = x
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = storedForm(x, key)
		}
		return out
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return v
}

// assetTree registers what a component tree or job refers to, in two passes:
// resolve (read-only: fetch, resolve, plan) then register (upload, PUT).
type assetTree struct {
	a *Assets
	r *spec.Registered
}

// newTree starts the registration of a tree. Plans left by an earlier
// operation that failed before uploading are dropped, so a folder changed
// since is planned again.
func (a *Assets) newTree() *assetTree {
	clear(a.plans)
	return &assetTree{a: a, r: spec.NewRegistered(a.c.T.WorkspaceID())}
}

// resolveComponent is the read-only pass over c and its children.
func (t *assetTree) resolveComponent(ctx context.Context, c *spec.Component) error {
	if err := t.resolveCode(ctx, c.Code); err != nil {
		return err
	}
	if err := t.resolveEnvironment(ctx, c.Environment); err != nil {
		return err
	}
	if p := c.Parallel; p != nil && p.Task != nil {
		if err := t.resolveCode(ctx, p.Task.Code); err != nil {
			return err
		}
		if err := t.resolveEnvironment(ctx, p.Task.Environment); err != nil {
			return err
		}
	}
	if c.Type != spec.ComponentPipeline {
		return nil
	}
	if err := t.resolveNodes(ctx, c.Jobs); err != nil {
		return err
	}
	// Every referenced child is fetched: check the steps against them.
	return c.ResolveChildren(func(*spec.Ref) (*spec.Component, error) { return nil, nil })
}

// resolveNodes resolves the steps of a pipeline: referenced components
// fetched, inline ones resolved in turn, data inputs resolved or planned.
func (t *assetTree) resolveNodes(ctx context.Context, nodes []*spec.Node) error {
	for _, n := range nodes {
		cr := n.Component
		if cr.Ref != nil {
			child, id, err := t.a.c.FetchComponent(ctx, cr.Ref)
			if err != nil {
				return err
			}
			cr.Resolved = child
			t.r.Components[cr] = id
		} else if err := t.resolveComponent(ctx, cr.Inline); err != nil {
			return err
		}
		for _, in := range n.Inputs {
			if err := t.resolveInput(ctx, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveInput resolves an asset reference or plans a local upload.
func (t *assetTree) resolveInput(ctx context.Context, in *spec.Input) error {
	switch {
	case in.Asset != nil:
		id, err := t.a.c.ResolveRef(ctx, in.Asset)
		if err != nil {
			return err
		}
		t.r.Data[in] = id
	case in.Local:
		if err := t.a.planAhead(ctx, in.Path); err != nil {
			return err
		}
	}
	return nil
}

func (t *assetTree) resolveCode(ctx context.Context, cs *spec.CodeSpec) error {
	switch {
	case cs == nil:
	case cs.Ref != nil:
		id, err := t.a.c.ResolveRef(ctx, cs.Ref)
		if err != nil {
			return err
		}
		t.r.Codes[cs] = id
	case cs.Path != "":
		return t.a.planAhead(ctx, cs.Path)
	}
	return nil
}

func (t *assetTree) resolveEnvironment(ctx context.Context, e *spec.EnvironmentSpec) error {
	switch {
	case e == nil:
	case e.Ref != nil && e.Ref.IsRegistry():
		t.r.Environments[e] = e.Ref.ID
	case e.Ref != nil:
		id, err := t.a.c.resolveEnvironmentRef(ctx, e.Ref)
		if err != nil {
			return err
		}
		t.r.Environments[e] = id
	case e.Inline.BuildPath != "" && !e.Inline.BuildRemote:
		return t.a.planAhead(ctx, e.Inline.BuildPath)
	}
	return nil
}

// registerDeps uploads and registers what c needs, children first.
func (t *assetTree) registerDeps(ctx context.Context, c *spec.Component) error {
	if err := t.registerCode(ctx, c.Code); err != nil {
		return err
	}
	if err := t.registerEnvironment(ctx, c.Environment); err != nil {
		return err
	}
	if p := c.Parallel; p != nil && p.Task != nil {
		if err := t.registerCode(ctx, p.Task.Code); err != nil {
			return err
		}
		if err := t.registerEnvironment(ctx, p.Task.Environment); err != nil {
			return err
		}
	}
	return t.registerNodes(ctx, c.Jobs)
}

// registerNodes registers the inline children of steps as anonymous
// components and uploads their local data inputs.
func (t *assetTree) registerNodes(ctx context.Context, nodes []*spec.Node) error {
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if err := t.uploadInput(ctx, in); err != nil {
				return err
			}
		}
		child := n.Component.Inline
		if child == nil {
			continue
		}
		if err := t.registerDeps(ctx, child); err != nil {
			return err
		}
		id, err := t.a.putAnonymousComponent(ctx, child, t.r)
		if err != nil {
			return err
		}
		t.r.Components[n.Component] = id
	}
	return nil
}

// uploadInput uploads a local data input as invoke uploads one.
func (t *assetTree) uploadInput(ctx context.Context, in *spec.Input) error {
	if !in.Local {
		return nil
	}
	plan, err := t.a.plan(ctx, in.Path)
	if err != nil {
		return err
	}
	up, err := t.a.upload(ctx, "input "+in.Name, plan, "", "", "")
	if err != nil {
		return err
	}
	t.r.Data[in] = upload.DatastoreURI(up.datastore, up.result.RemotePath, plan.IsDir)
	return nil
}

func (t *assetTree) registerCode(ctx context.Context, cs *spec.CodeSpec) error {
	if cs == nil || cs.Ref != nil {
		return nil
	}
	if _, done := t.r.Codes[cs]; done {
		return nil
	}
	code, err := t.a.RegisterCode(ctx, cs)
	if err != nil {
		return err
	}
	t.r.Codes[cs] = code.ID
	return nil
}

func (t *assetTree) registerEnvironment(ctx context.Context, e *spec.EnvironmentSpec) error {
	if e == nil || e.Inline == nil {
		return nil
	}
	if _, done := t.r.Environments[e]; done {
		return nil
	}
	env, err := t.a.RegisterEnvironment(ctx, e.Inline)
	if err != nil {
		return err
	}
	t.r.Environments[e] = env.ID
	return nil
}

// putAnonymousComponent registers a pipeline's child as az does: named
// azureml_anonymous, versioned by the hash of its spec, so an unchanged
// child is registered once.
func (a *Assets) putAnonymousComponent(ctx context.Context, c *spec.Component, r *spec.Registered) (string, error) {
	cl := a.c
	body := c.ARM(r, true)
	version := spec.AnonymousVersion(c.Spec(r, true))
	name := spec.AnonymousComponentName
	client := cl.arm.NewComponentVersionsClient()
	got, err := client.Get(ctx, cl.T.ResourceGroup, cl.T.Workspace, name, version, nil)
	switch {
	case err == nil:
		return idOrDefault(got.ID, cl.versionID(spec.KindComponent, name, version)), nil
	case !statusIs(err, http.StatusNotFound):
		return "", cl.check(err, fmt.Sprintf("component %s:%s", name, version))
	}
	resp, err := client.CreateOrUpdate(ctx, cl.T.ResourceGroup, cl.T.Workspace, name, version, body, nil)
	if err != nil {
		return "", cl.check(err, fmt.Sprintf("register the component of a pipeline step (%s)", c.At))
	}
	return idOrDefault(resp.ID, cl.versionID(spec.KindComponent, name, version)), nil
}
