package azml

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// Environments as `az ml environment show|list|archive|restore` handle
// them, next to models.go (same shapes, other SDK types).

// GetEnvironmentVersion returns version of environment name.
func (c *Client) GetEnvironmentVersion(ctx context.Context, name, version string) (*armmachinelearning.EnvironmentVersion, error) {
	resp, err := c.arm.NewEnvironmentVersionsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("environment %s version %s", name, version))
	}
	return &resp.EnvironmentVersion, nil
}

// EnvironmentVersionByLabel resolves label latest of environment name: the
// newest active version, found as az finds it.
func (c *Client) EnvironmentVersionByLabel(ctx context.Context, name, label string) (string, error) {
	if label != "latest" {
		return "", clierr.Usagef("--label %s: environments have one label, latest; pass --label latest or --version <version>", label)
	}
	got, err := c.ListEnvironmentVersions(ctx, name, ActiveOnly, 1)
	if err != nil {
		return "", err
	}
	if len(got) == 0 || got[0].Name == nil {
		return "", clierr.NotFoundf("environment %s has no active version in workspace %s, so label latest resolves to nothing; register one with `ml environment create --name %s --image <image>`", name, c.T.Workspace, name)
	}
	return *got[0].Name, nil
}

// ListEnvironmentContainers returns the workspace's environments; max > 0
// stops after that many.
func (c *Client) ListEnvironmentContainers(ctx context.Context, view ListView, max int) ([]*armmachinelearning.EnvironmentContainer, error) {
	pager := c.arm.NewEnvironmentContainersClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, &armmachinelearning.EnvironmentContainersClientListOptions{ListViewType: view.arm()})
	return collect(ctx, c, pager, func(p armmachinelearning.EnvironmentContainersClientListResponse) []*armmachinelearning.EnvironmentContainer {
		return p.Value
	}, max, "list environments")
}

// ListEnvironmentVersions returns the versions of environment name, newest
// first; max > 0 stops after that many. An unknown name is a not-found
// error.
func (c *Client) ListEnvironmentVersions(ctx context.Context, name string, view ListView, max int) ([]*armmachinelearning.EnvironmentVersion, error) {
	opts := &armmachinelearning.EnvironmentVersionsClientListOptions{OrderBy: to.Ptr("createdtime desc"), ListViewType: view.arm()}
	if max > 0 {
		opts.Top = to.Ptr(int32(max))
	}
	pager := c.arm.NewEnvironmentVersionsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, name, opts)
	out, err := collect(ctx, c, pager, func(p armmachinelearning.EnvironmentVersionsClientListResponse) []*armmachinelearning.EnvironmentVersion {
		return p.Value
	}, max, fmt.Sprintf("versions of environment %s", name))
	if err == nil && len(out) == 0 {
		if _, err := c.arm.NewEnvironmentContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil); err != nil {
			return nil, c.check(err, fmt.Sprintf("environment %s", name))
		}
	}
	return out, err
}

// ArchiveEnvironment archives (or, with archived false, restores) an
// environment version (a version, or a label resolved to one) or, with
// neither, the whole environment, as az does.
func (c *Client) ArchiveEnvironment(ctx context.Context, name, version, label string, archived bool) error {
	if version == "" && label != "" {
		v, err := c.EnvironmentVersionByLabel(ctx, name, label)
		if err != nil {
			return err
		}
		version = v
	}
	rg, ws := c.T.ResourceGroup, c.T.Workspace
	if version != "" {
		got, err := c.GetEnvironmentVersion(ctx, name, version)
		if err != nil {
			return err
		}
		body := armmachinelearning.EnvironmentVersion{Properties: got.Properties}
		if body.Properties == nil {
			body.Properties = &armmachinelearning.EnvironmentVersionProperties{}
		}
		body.Properties.IsArchived = to.Ptr(archived)
		body.Properties.ProvisioningState, body.Properties.EnvironmentType = nil, nil
		_, err = c.arm.NewEnvironmentVersionsClient().CreateOrUpdate(ctx, rg, ws, name, version, body, nil)
		return c.check(err, fmt.Sprintf("environment %s version %s", name, version))
	}
	got, err := c.arm.NewEnvironmentContainersClient().Get(ctx, rg, ws, name, nil)
	if err != nil {
		return c.check(err, fmt.Sprintf("environment %s", name))
	}
	body := armmachinelearning.EnvironmentContainer{Properties: got.Properties}
	if body.Properties == nil {
		body.Properties = &armmachinelearning.EnvironmentContainerProperties{}
	}
	body.Properties.IsArchived = to.Ptr(archived)
	body.Properties.ProvisioningState, body.Properties.LatestVersion, body.Properties.NextVersion = nil, nil, nil
	_, err = c.arm.NewEnvironmentContainersClient().CreateOrUpdate(ctx, rg, ws, name, body, nil)
	return c.check(err, fmt.Sprintf("environment %s", name))
}

// EnvironmentView is an environment version as `az ml environment show`
// prints it: name, version, image, conda_file (the conda specification as
// an object), build {path, dockerfile_path}, os_type, inference_config,
// description, tags, properties, id and creation_context.
func EnvironmentView(e *armmachinelearning.EnvironmentVersion) map[string]any {
	v := map[string]any{}
	if e == nil {
		return v
	}
	setStr(v, "id", e.ID)
	if e.ID != nil {
		if name, version, ok := assetNameVersion(*e.ID, spec.KindEnvironment); ok {
			v["name"], v["version"] = name, version
		}
	}
	if _, ok := v["version"]; !ok {
		setStr(v, "version", e.Name)
	}
	p := e.Properties
	if p == nil {
		return v
	}
	setStr(v, "image", p.Image)
	if p.CondaFile != nil && *p.CondaFile != "" {
		var conda map[string]any
		if err := yaml.Unmarshal([]byte(*p.CondaFile), &conda); err == nil && conda != nil {
			v["conda_file"] = conda
		} else {
			v["conda_file"] = *p.CondaFile
		}
	}
	if b := p.Build; b != nil {
		build := map[string]any{}
		setStr(build, "path", b.ContextURI)
		setStr(build, "dockerfile_path", b.DockerfilePath)
		v["build"] = build
	}
	if p.OSType != nil {
		v["os_type"] = string(*p.OSType)
	}
	if ic := p.InferenceConfig; ic != nil {
		route := func(r *armmachinelearning.Route) map[string]any {
			out := map[string]any{}
			if r != nil {
				setStr(out, "path", r.Path)
				if r.Port != nil {
					out["port"] = *r.Port
				}
			}
			return out
		}
		v["inference_config"] = map[string]any{"liveness_route": route(ic.LivenessRoute), "readiness_route": route(ic.ReadinessRoute), "scoring_route": route(ic.ScoringRoute)}
	}
	setStr(v, "description", p.Description)
	v["tags"] = strMap(p.Tags)
	v["properties"] = strMap(p.Properties)
	if cc := creationContext(e.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// EnvironmentContainerView is an environment (all its versions) as `az ml
// environment list` prints it.
func EnvironmentContainerView(e *armmachinelearning.EnvironmentContainer) map[string]any {
	v := map[string]any{}
	if e == nil {
		return v
	}
	setStr(v, "name", e.Name)
	setStr(v, "id", e.ID)
	if p := e.Properties; p != nil {
		setStr(v, "latest_version", p.LatestVersion)
		setStr(v, "description", p.Description)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
	}
	if cc := creationContext(e.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}
