package azml

import (
	"context"
	"fmt"

	"github.com/mlbatch/ml/internal/clierr"
)

// DataAsset is a resolved data asset version.
type DataAsset struct {
	Name, Version string
	// Type is uri_file, uri_folder or mltable.
	Type string
	// ID is the ARM id of the version, what the scoring body carries.
	ID  string
	URI string
}

// ResolveData resolves name with a version, or with a label ("latest" is
// the label Azure ML defines), to the data version.
func (c *Client) ResolveData(ctx context.Context, name, version, label string) (*DataAsset, error) {
	if version == "" {
		if label != "latest" {
			return nil, clierr.Usagef("data asset %s@%s: only the label \"latest\" exists for data assets; use azureml:%s@latest or azureml:%s:<version>", name, label, name, name)
		}
		resp, err := c.arm.NewDataContainersClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
		if err != nil {
			return nil, c.check(err, fmt.Sprintf("Asset %s does not exist in workspace %s;", name, c.T.Workspace))
		}
		if resp.Properties == nil || resp.Properties.LatestVersion == nil || *resp.Properties.LatestVersion == "" {
			return nil, &clierr.NotFoundError{Err: fmt.Errorf("Asset %s with version label latest does not exist in workspace %s", name, c.T.Workspace)}
		}
		version = *resp.Properties.LatestVersion
	}
	resp, err := c.arm.NewDataVersionsClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, version, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("data asset %s:%s", name, version))
	}
	out := &DataAsset{Name: name, Version: version}
	if resp.ID != nil {
		out.ID = *resp.ID
	} else {
		out.ID = fmt.Sprintf("%s/data/%s/versions/%s", c.T.WorkspaceID(), name, version)
	}
	if p := resp.Properties; p != nil {
		base := p.GetDataVersionBaseProperties()
		if base.DataType != nil {
			out.Type = string(*base.DataType)
		}
		if base.DataURI != nil {
			out.URI = *base.DataURI
		}
	}
	return out, nil
}
