package azml

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// Data assets and datastores as `az ml data show|list` and
// `az ml datastore show|list` print them: the reads, and the views (the
// azure-ai-ml entities' snake_case dumps) so --query paths port unchanged.

// GetDataVersion returns version of data asset name.
func (c *Client) GetDataVersion(ctx context.Context, name, version string) (*armmachinelearning.DataVersionBase, error) {
	resp, err := c.arm.NewDataVersionsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("data asset %s version %s", name, version))
	}
	return &resp.DataVersionBase, nil
}

// GetDataByLabel returns the version of data asset name that label points
// at. "latest" is the only label Azure ML defines for data assets (the
// container's latestVersion); any other label is a usage error.
func (c *Client) GetDataByLabel(ctx context.Context, name, label string) (*armmachinelearning.DataVersionBase, error) {
	if label != "latest" {
		return nil, clierr.Usagef("--label %s: data assets have one label, latest; pass --label latest or --version <version>", label)
	}
	resp, err := c.arm.NewDataContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("data asset %s", name))
	}
	if resp.Properties == nil || resp.Properties.LatestVersion == nil || *resp.Properties.LatestVersion == "" {
		return nil, clierr.NotFoundf("data asset %s has no versions, so label latest resolves to nothing; create one with `ml data create`", name)
	}
	return c.GetDataVersion(ctx, name, *resp.Properties.LatestVersion)
}

// ListDataContainers returns the workspace's data assets (one entry per
// name); max > 0 stops after that many.
func (c *Client) ListDataContainers(ctx context.Context, max int) ([]*armmachinelearning.DataContainer, error) {
	pager := c.arm.NewDataContainersClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, nil)
	return collect(ctx, c, pager, func(p armmachinelearning.DataContainersClientListResponse) []*armmachinelearning.DataContainer {
		return p.Value
	}, max, "list data assets")
}

// ListDataVersions returns the versions of data asset name; max > 0 stops
// after that many. An unknown name is a not-found error (the service
// answers an empty list, az says nothing; an empty answer to a typo helps
// no one).
func (c *Client) ListDataVersions(ctx context.Context, name string, max int) ([]*armmachinelearning.DataVersionBase, error) {
	pager := c.arm.NewDataVersionsClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, name, nil)
	out, err := collect(ctx, c, pager, func(p armmachinelearning.DataVersionsClientListResponse) []*armmachinelearning.DataVersionBase {
		return p.Value
	}, max, fmt.Sprintf("versions of data asset %s", name))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := c.arm.NewDataContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil); err != nil {
			return nil, c.check(err, fmt.Sprintf("data asset %s", name))
		}
	}
	return out, nil
}

// GetDatastore returns datastore name, without its secrets.
func (c *Client) GetDatastore(ctx context.Context, name string) (*armmachinelearning.Datastore, error) {
	resp, err := c.arm.NewDatastoresClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("datastore %q", name))
	}
	return &resp.Datastore, nil
}

// ListDatastores returns the workspace's datastores, without secrets; max
// > 0 stops after that many.
func (c *Client) ListDatastores(ctx context.Context, max int) ([]*armmachinelearning.Datastore, error) {
	pager := c.arm.NewDatastoresClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, nil)
	return collect(ctx, c, pager, func(p armmachinelearning.DatastoresClientListResponse) []*armmachinelearning.Datastore {
		return p.Value
	}, max, "list datastores")
}

// DataView is a data asset version as `az ml data show` prints it: name,
// version, type (uri_file, uri_folder, mltable), path, description, tags,
// properties, id (the ARM id, what --input and inputs.<name>.path take) and
// creation_context. Name and version come from the id, as the SDK reads
// them; a nil d gives an empty map.
func DataView(d *armmachinelearning.DataVersionBase) map[string]any {
	v := map[string]any{}
	if d == nil {
		return v
	}
	setStr(v, "id", d.ID)
	if d.ID != nil {
		if name, version, ok := assetNameVersion(*d.ID, spec.KindData); ok {
			v["name"], v["version"] = name, version
		}
	}
	if _, ok := v["version"]; !ok {
		// The resource name of a data version is the version.
		setStr(v, "version", d.Name)
	}
	if d.Properties != nil {
		p := d.Properties.GetDataVersionBaseProperties()
		if p.DataType != nil {
			v["type"] = string(*p.DataType)
		}
		setStr(v, "path", p.DataURI)
		setStr(v, "description", p.Description)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
	}
	if cc := creationContext(d.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// DataContainerView is a data asset (all its versions) as `az ml data list`
// prints it: name, latest_version, type, description, tags, properties and
// creation_context.
func DataContainerView(d *armmachinelearning.DataContainer) map[string]any {
	v := map[string]any{}
	if d == nil {
		return v
	}
	setStr(v, "name", d.Name)
	if p := d.Properties; p != nil {
		setStr(v, "latest_version", p.LatestVersion)
		if p.DataType != nil {
			v["type"] = string(*p.DataType)
		}
		setStr(v, "description", p.Description)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
	}
	if cc := creationContext(d.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// DatastoreView is a datastore as `az ml datastore show` prints it: name,
// id, type (azure_blob, azure_file, azure_data_lake_gen1|gen2, one_lake),
// description, tags, properties, the storage location (account_name,
// container_name / file_share_name / filesystem / store_name, endpoint,
// protocol) and credentials with only their type. Secrets never appear:
// the ARM GET does not return them and the view has no field for them.
func DatastoreView(d *armmachinelearning.Datastore) map[string]any {
	v := map[string]any{}
	if d == nil {
		return v
	}
	setStr(v, "name", d.Name)
	setStr(v, "id", d.ID)
	if d.Properties == nil {
		return v
	}
	base := d.Properties.GetDatastoreProperties()
	if base.DatastoreType != nil {
		v["type"] = snake(string(*base.DatastoreType))
	}
	setStr(v, "description", base.Description)
	v["tags"] = strMap(base.Tags)
	v["properties"] = strMap(base.Properties)
	if base.Credentials != nil {
		cred := map[string]any{}
		if t := base.Credentials.GetDatastoreCredentials().CredentialsType; t != nil {
			cred["type"] = snake(string(*t))
		}
		v["credentials"] = cred
	}
	switch s := d.Properties.(type) {
	case *armmachinelearning.AzureBlobDatastore:
		setStr(v, "account_name", s.AccountName)
		setStr(v, "container_name", s.ContainerName)
		setStr(v, "endpoint", s.Endpoint)
		setStr(v, "protocol", s.Protocol)
	case *armmachinelearning.AzureFileDatastore:
		setStr(v, "account_name", s.AccountName)
		setStr(v, "file_share_name", s.FileShareName)
		setStr(v, "endpoint", s.Endpoint)
		setStr(v, "protocol", s.Protocol)
	case *armmachinelearning.AzureDataLakeGen2Datastore:
		setStr(v, "account_name", s.AccountName)
		setStr(v, "filesystem", s.Filesystem)
		setStr(v, "endpoint", s.Endpoint)
		setStr(v, "protocol", s.Protocol)
	case *armmachinelearning.AzureDataLakeGen1Datastore:
		setStr(v, "store_name", s.StoreName)
	case *armmachinelearning.OneLakeDatastore:
		setStr(v, "one_lake_workspace_name", s.OneLakeWorkspaceName)
		setStr(v, "endpoint", s.Endpoint)
	}
	return v
}

// creationContext is the SDK's creation_context of systemData; nil when
// the resource has none.
func creationContext(sd *armmachinelearning.SystemData) map[string]any {
	if sd == nil {
		return nil
	}
	cc := map[string]any{}
	if sd.CreatedAt != nil {
		cc["created_at"] = sd.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	setStr(cc, "created_by", sd.CreatedBy)
	if sd.CreatedByType != nil {
		cc["created_by_type"] = string(*sd.CreatedByType)
	}
	if sd.LastModifiedAt != nil {
		cc["last_modified_at"] = sd.LastModifiedAt.UTC().Format(time.RFC3339Nano)
	}
	setStr(cc, "last_modified_by", sd.LastModifiedBy)
	if sd.LastModifiedByType != nil {
		cc["last_modified_by_type"] = string(*sd.LastModifiedByType)
	}
	return cc
}

// CreateOrUpdateDatastore PUTs datastore name with skipValidation=true, as
// azure-ai-ml's DatastoreOperations.create_or_update does (the service
// then does not try the credentials against the account). The operation
// is synchronous; the answer is the datastore without its secrets.
func (c *Client) CreateOrUpdateDatastore(ctx context.Context, name string, body armmachinelearning.Datastore) (*armmachinelearning.Datastore, error) {
	skip := true
	resp, err := c.arm.NewDatastoresClient().CreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, body,
		&armmachinelearning.DatastoresClientCreateOrUpdateOptions{SkipValidation: &skip})
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("datastore %q", name))
	}
	return &resp.Datastore, nil
}

// DeleteDatastore removes datastore name from the workspace (the storage
// and its data stay). The call is synchronous; a 404 is a not-found error.
func (c *Client) DeleteDatastore(ctx context.Context, name string) error {
	_, err := c.arm.NewDatastoresClient().Delete(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	return c.check(err, fmt.Sprintf("datastore %q", name))
}

// StorageEndpoint is the storage DNS suffix of the target's cloud
// (core.windows.net in Azure's public cloud), the endpoint az gives a
// datastore whose YAML has none.
func (c *Client) StorageEndpoint() string {
	if c.T.Cloud.StorageSuffix != "" {
		return c.T.Cloud.StorageSuffix
	}
	return "core.windows.net"
}
