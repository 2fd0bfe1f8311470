package azml

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/spec"
)

// Compute clusters as `az ml compute create|show|list|delete` handle them:
// the ARM compute resource, its long-running operations, and the view
// (the azure-ai-ml AmlCompute entity's snake_case dump).

// CreateOrUpdateCompute PUTs compute name and awaits the operation. It
// returns the compute as the service has it, or nil with NoWait.
func (c *Client) CreateOrUpdateCompute(ctx context.Context, name string, body armmachinelearning.ComputeResource, w WaitOptions) (*armmachinelearning.ComputeResource, error) {
	what := fmt.Sprintf("compute %q", name)
	p, err := c.arm.NewComputeClient().BeginCreateOrUpdate(ctx, c.T.ResourceGroup, c.T.Workspace, name, body, nil)
	if err != nil {
		return nil, c.check(err, what)
	}
	res, err := await(ctx, c, p, w, what)
	if err != nil || w.NoWait {
		return nil, err
	}
	return &res.ComputeResource, nil
}

// GetCompute returns compute name.
func (c *Client) GetCompute(ctx context.Context, name string) (*armmachinelearning.ComputeResource, error) {
	resp, err := c.arm.NewComputeClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("compute %q", name))
	}
	return &resp.ComputeResource, nil
}

// ListComputes returns the workspace's computes; max > 0 stops after that
// many.
func (c *Client) ListComputes(ctx context.Context, max int) ([]*armmachinelearning.ComputeResource, error) {
	pager := c.arm.NewComputeClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, nil)
	return collect(ctx, c, pager, func(p armmachinelearning.ComputeClientListResponse) []*armmachinelearning.ComputeResource {
		return p.Value
	}, max, "list computes")
}

// DeleteCompute deletes compute name and the cluster behind it
// (underlyingResourceAction=Delete, as az sends), awaiting the operation
// unless NoWait.
func (c *Client) DeleteCompute(ctx context.Context, name string, w WaitOptions) error {
	what := fmt.Sprintf("compute %q", name)
	p, err := c.arm.NewComputeClient().BeginDelete(ctx, c.T.ResourceGroup, c.T.Workspace, name, armmachinelearning.UnderlyingResourceActionDelete, nil)
	if err != nil {
		return c.check(err, what)
	}
	_, err = await(ctx, c, p, w, what)
	return err
}

// ComputeView is a compute as `az ml compute show` prints it: name, id,
// type (amlcompute, computeinstance, ...), location, provisioning_state,
// description, tags, and for a cluster size, tier, min_instances,
// max_instances, idle_time_before_scale_down (seconds),
// ssh_public_access_enabled, enable_node_public_ip and identity.
func ComputeView(r *armmachinelearning.ComputeResource) map[string]any {
	v := map[string]any{}
	if r == nil {
		return v
	}
	setStr(v, "name", r.Name)
	setStr(v, "id", r.ID)
	setStr(v, "location", r.Location)
	if len(r.Tags) > 0 {
		v["tags"] = strMap(r.Tags)
	}
	if r.Identity != nil && r.Identity.Type != nil {
		id := map[string]any{"type": snake(strings.ReplaceAll(string(*r.Identity.Type), ",", ""))}
		setStr(id, "principal_id", r.Identity.PrincipalID)
		setStr(id, "tenant_id", r.Identity.TenantID)
		if len(r.Identity.UserAssignedIdentities) > 0 {
			var ids []any
			for rid := range r.Identity.UserAssignedIdentities {
				ids = append(ids, map[string]any{"resource_id": rid})
			}
			id["user_assigned_identities"] = ids
		}
		v["identity"] = id
	}
	if r.Properties == nil {
		return v
	}
	base := r.Properties.GetCompute()
	if base.ComputeType != nil {
		v["type"] = strings.ToLower(string(*base.ComputeType))
	}
	setStr(v, "description", base.Description)
	setStr(v, "provisioning_state", base.ProvisioningState)
	if base.CreatedOn != nil {
		v["created_on"] = base.CreatedOn.UTC().Format("2006-01-02T15:04:05.000000+0000")
	}
	aml, ok := r.Properties.(*armmachinelearning.AmlCompute)
	if !ok || aml.Properties == nil {
		return v
	}
	p := aml.Properties
	setStr(v, "size", p.VMSize)
	if p.VMPriority != nil {
		v["tier"] = snake(string(*p.VMPriority))
	}
	if s := p.ScaleSettings; s != nil {
		if s.MinNodeCount != nil {
			v["min_instances"] = *s.MinNodeCount
		}
		if s.MaxNodeCount != nil {
			v["max_instances"] = *s.MaxNodeCount
		}
		if s.NodeIdleTimeBeforeScaleDown != nil {
			if secs, ok := spec.ISODurationSeconds(*s.NodeIdleTimeBeforeScaleDown); ok {
				v["idle_time_before_scale_down"] = secs
			}
		}
	}
	if p.RemoteLoginPortPublicAccess != nil {
		v["ssh_public_access_enabled"] = *p.RemoteLoginPortPublicAccess == armmachinelearning.RemoteLoginPortPublicAccessEnabled
	}
	if p.EnableNodePublicIP != nil {
		v["enable_node_public_ip"] = *p.EnableNodePublicIP
	} else {
		v["enable_node_public_ip"] = true
	}
	if p.UserAccountCredentials != nil && p.UserAccountCredentials.AdminUserName != nil {
		// Only the user name: a password or key never reaches the output.
		v["ssh_settings"] = map[string]any{"admin_username": *p.UserAccountCredentials.AdminUserName}
	}
	return v
}
