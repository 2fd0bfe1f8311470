package azml

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// Models as `az ml model show|list|archive|restore` handle them: the reads,
// archiving, and the views (the azure-ai-ml Model entity's snake_case dump)
// so --query paths port unchanged.

// GetModelVersion returns version of model name.
func (c *Client) GetModelVersion(ctx context.Context, name, version string) (*armmachinelearning.ModelVersion, error) {
	resp, err := c.arm.NewModelVersionsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("model %s version %s", name, version))
	}
	return &resp.ModelVersion, nil
}

// ModelVersionByLabel resolves a label of model name; "latest" is the one
// label Azure ML defines: the newest active version, which az finds by
// listing the versions newest first.
func (c *Client) ModelVersionByLabel(ctx context.Context, name, label string) (string, error) {
	if label != "latest" {
		return "", clierr.Usagef("--label %s: models have one label, latest; pass --label latest or --version <version>", label)
	}
	got, err := c.ListModelVersions(ctx, name, ActiveOnly, 1)
	if err != nil {
		return "", err
	}
	if len(got) == 0 || got[0].Name == nil {
		return "", clierr.NotFoundf("model %s has no active version in workspace %s, so label latest resolves to nothing; register one with `ml model create --name %s --path <folder>`", name, c.T.Workspace, name)
	}
	return *got[0].Name, nil
}

// ListModelContainers returns the workspace's models (one entry per name);
// max > 0 stops after that many.
func (c *Client) ListModelContainers(ctx context.Context, view ListView, max int) ([]*armmachinelearning.ModelContainer, error) {
	pager := c.arm.NewModelContainersClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, &armmachinelearning.ModelContainersClientListOptions{ListViewType: view.arm()})
	return collect(ctx, c, pager, func(p armmachinelearning.ModelContainersClientListResponse) []*armmachinelearning.ModelContainer {
		return p.Value
	}, max, "list models")
}

// ListModelVersions returns the versions of model name, newest first; max
// > 0 stops after that many. An unknown name is a not-found error.
func (c *Client) ListModelVersions(ctx context.Context, name string, view ListView, max int) ([]*armmachinelearning.ModelVersion, error) {
	opts := &armmachinelearning.ModelVersionsClientListOptions{OrderBy: to.Ptr("createdtime desc"), ListViewType: view.arm()}
	if max > 0 {
		opts.Top = to.Ptr(int32(max))
	}
	pager := c.arm.NewModelVersionsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, name, opts)
	out, err := collect(ctx, c, pager, func(p armmachinelearning.ModelVersionsClientListResponse) []*armmachinelearning.ModelVersion {
		return p.Value
	}, max,
		fmt.Sprintf("versions of model %s", name))
	if err == nil && len(out) == 0 {
		if _, err := c.arm.NewModelContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil); err != nil {
			return nil, c.check(err, fmt.Sprintf("model %s", name))
		}
	}
	return out, err
}

// ArchiveModel archives (or, with archived false, restores) a model as az
// does: with a version (or a label resolved to one) that version, else the
// whole model (its container). The resource is read and written back with
// isArchived changed.
func (c *Client) ArchiveModel(ctx context.Context, name, version, label string, archived bool) error {
	if version == "" && label != "" {
		v, err := c.ModelVersionByLabel(ctx, name, label)
		if err != nil {
			return err
		}
		version = v
	}
	rg, ws := c.T.ResourceGroup, c.T.Workspace
	if version != "" {
		got, err := c.GetModelVersion(ctx, name, version)
		if err != nil {
			return err
		}
		body := armmachinelearning.ModelVersion{Properties: got.Properties}
		if body.Properties == nil {
			body.Properties = &armmachinelearning.ModelVersionProperties{}
		}
		body.Properties.IsArchived = to.Ptr(archived)
		body.Properties.ProvisioningState = nil
		_, err = c.arm.NewModelVersionsClient().CreateOrUpdate(ctx, rg, ws, name, version, body, nil)
		return c.check(err, fmt.Sprintf("model %s version %s", name, version))
	}
	got, err := c.arm.NewModelContainersClient().Get(ctx, rg, ws, name, nil)
	if err != nil {
		return c.check(err, fmt.Sprintf("model %s", name))
	}
	body := armmachinelearning.ModelContainer{Properties: got.Properties}
	if body.Properties == nil {
		body.Properties = &armmachinelearning.ModelContainerProperties{}
	}
	body.Properties.IsArchived = to.Ptr(archived)
	body.Properties.ProvisioningState, body.Properties.LatestVersion, body.Properties.NextVersion = nil, nil, nil
	_, err = c.arm.NewModelContainersClient().CreateOrUpdate(ctx, rg, ws, name, body, nil)
	return c.check(err, fmt.Sprintf("model %s", name))
}

// ModelView is a model version as `az ml model show` prints it: name,
// version, type (custom_model, mlflow_model, triton_model), path (the
// azureml:// URI of its files), description, tags, properties, flavors,
// stage, id (the ARM id, what a deployment's model: takes) and
// creation_context.
func ModelView(m *armmachinelearning.ModelVersion) map[string]any {
	v := map[string]any{}
	if m == nil {
		return v
	}
	setStr(v, "id", m.ID)
	if m.ID != nil {
		if name, version, ok := assetNameVersion(*m.ID, spec.KindModel); ok {
			v["name"], v["version"] = name, version
		}
	}
	if _, ok := v["version"]; !ok {
		setStr(v, "version", m.Name)
	}
	if p := m.Properties; p != nil {
		setStr(v, "type", p.ModelType)
		setStr(v, "path", p.ModelURI)
		setStr(v, "description", p.Description)
		setStr(v, "stage", p.Stage)
		setStr(v, "job_name", p.JobName)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
		if len(p.Flavors) > 0 {
			fl := map[string]any{}
			for k, f := range p.Flavors {
				if f != nil {
					fl[k] = strMap(f.Data)
				}
			}
			v["flavors"] = fl
		}
	}
	if cc := creationContext(m.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// ModelContainerView is a model (all its versions) as `az ml model list`
// prints it: name, latest_version, description, tags, properties,
// creation_context.
func ModelContainerView(m *armmachinelearning.ModelContainer) map[string]any {
	v := map[string]any{}
	if m == nil {
		return v
	}
	setStr(v, "name", m.Name)
	setStr(v, "id", m.ID)
	if p := m.Properties; p != nil {
		setStr(v, "latest_version", p.LatestVersion)
		setStr(v, "description", p.Description)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
	}
	if cc := creationContext(m.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// assetNameVersion reads name and version out of an asset version's ARM id
// (.../<kind>/<name>/versions/<version>).
func assetNameVersion(id string, kind spec.AssetKind) (name, version string, ok bool) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i := len(segs) - 4; i >= 0; i-- {
		if strings.EqualFold(segs[i], string(kind)) && strings.EqualFold(segs[i+2], "versions") {
			return segs[i+1], segs[i+3], true
		}
	}
	return "", "", false
}
