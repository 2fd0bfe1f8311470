package spec

import (
	"context"
	"io"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"gopkg.in/yaml.v3"
)

// Compute is a compute cluster YAML file (amlCompute.schema.json) after
// overrides. az's defaults apply where a key is absent.
type Compute struct {
	// File is the YAML file, "" when every key came from flags.
	File string
	Name string
	// Type is amlcompute, the one type ml creates.
	Type string
	// Size is the VM size ("" = az's default, STANDARD_DS3_V2).
	Size string
	// MinInstances and MaxInstances scale the cluster (az: 0 and 1 when
	// absent; az's help says 4, its code sends 1).
	MinInstances, MaxInstances int32
	// IdleSeconds is idle_time_before_scale_down; 0 = not sent.
	IdleSeconds int64
	// Tier is dedicated or low_priority ("" = not sent).
	Tier string
	// Location is the cluster's region ("" = the workspace's).
	Location    string
	Description string
	Tags        map[string]string
	// SSHPublicAccess is ssh_public_access_enabled (nil = not specified).
	SSHPublicAccess *bool
	// EnableNodePublicIP defaults to true, as in az.
	EnableNodePublicIP bool
	// AdminUser, AdminPassword and SSHKey are ssh_settings.
	AdminUser, AdminPassword, SSHKey string
	// Identity is the cluster's managed identity (nil = none).
	Identity *Identity
}

// DefaultVMSize is the size az gives a cluster without one.
const DefaultVMSize = "STANDARD_DS3_V2"

var (
	computeKeys = []string{"$schema", "name", "type", "description", "tags", "location", "size", "tier", "min_instances",
		"max_instances", "idle_time_before_scale_down", "ssh_public_access_enabled", "ssh_settings", "enable_node_public_ip",
		"identity", "id", "provisioning_state", "created_on", "resource_id"}
	computeTiers = []string{"dedicated", "low_priority"}
	sshKeys      = []string{"admin_username", "admin_password", "ssh_key_value"}
)

// LoadCompute reads a compute YAML file (path "" = flags only), applies
// overrides (--name, --type, --size, --min-instances ... are overrides
// too, as in az) and validates it. Only amlcompute clusters are created
// by ml; other types are refused with what to do instead.
func LoadCompute(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Compute, error) {
	root, file, base, err := readTree(ctx, path, stdin, "compute")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	if n := valueOf(root, "network_settings"); n != nil {
		return nil, d.errf(n, "network_settings (a virtual network) is not supported by ml compute create; create the cluster with az, or remove network_settings")
	}
	o, err := d.object(root, "the compute", computeKeys)
	if err != nil {
		return nil, err
	}
	c := &Compute{File: path, EnableNodePublicIP: true, MaxInstances: 1}
	if err = o.require("name", "add name: <cluster name> to the file or pass --name"); err != nil {
		return nil, err
	}
	if c.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if err = o.require("type", "add type: amlcompute to the file or pass --type amlcompute"); err != nil {
		return nil, err
	}
	typ, err := o.str("type")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(typ, "amlcompute") {
		return nil, d.errf(o.node("type"), "type: %q: ml creates compute clusters of type amlcompute only (computeinstance, kubernetes and attached computes: use az); use type: amlcompute", typ)
	}
	c.Type = "amlcompute"
	for _, s := range []struct {
		key string
		dst *string
	}{{"size", &c.Size}, {"location", &c.Location}, {"description", &c.Description}} {
		if *s.dst, err = o.str(s.key); err != nil {
			return nil, err
		}
	}
	if c.Tier, err = o.enum("tier", computeTiers); err != nil {
		return nil, err
	}
	if c.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	minN, err := o.int32("min_instances", 0)
	if err != nil {
		return nil, err
	}
	maxN, err := o.int32("max_instances", 1)
	if err != nil {
		return nil, err
	}
	if minN != nil {
		c.MinInstances = *minN
	}
	if maxN != nil {
		c.MaxInstances = *maxN
	}
	if c.MinInstances > c.MaxInstances {
		at := o.node("min_instances")
		if at == nil {
			at = o.node("max_instances")
		}
		return nil, d.errf(at, "min_instances (%d) is more than max_instances (%d); lower min_instances or raise max_instances", c.MinInstances, c.MaxInstances)
	}
	idle, err := o.integer("idle_time_before_scale_down", 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	if idle != nil {
		c.IdleSeconds = *idle
	}
	if c.SSHPublicAccess, err = o.boolean("ssh_public_access_enabled"); err != nil {
		return nil, err
	}
	if b, err := o.boolean("enable_node_public_ip"); err != nil {
		return nil, err
	} else if b != nil {
		c.EnableNodePublicIP = *b
	}
	if n := o.node("ssh_settings"); n != nil {
		so, err := d.object(n, "ssh_settings", sshKeys)
		if err != nil {
			return nil, err
		}
		if err := so.require("admin_username", "add admin_username: <user>"); err != nil {
			return nil, err
		}
		for _, s := range []struct {
			key string
			dst *string
		}{{"admin_username", &c.AdminUser}, {"admin_password", &c.AdminPassword}, {"ssh_key_value", &c.SSHKey}} {
			if *s.dst, err = so.str(s.key); err != nil {
				return nil, err
			}
		}
	}
	if n := o.node("identity"); n != nil {
		if c.Identity, err = d.identity(n); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// valueOf is the value of key in mapping root, nil when absent.
func valueOf(root *yaml.Node, key string) *yaml.Node {
	_, v := entry(root, key)
	return v
}

// entry is the key node and the value node of key in mapping root, nils
// when absent: messages about the key itself point at the key's line.
func entry(root *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return root.Content[i], root.Content[i+1]
		}
	}
	return nil, nil
}

// ARM is the PUT body az sends for the cluster (AmlCompute._to_rest_object):
// location is the cluster's, else the workspace's (given).
func (c *Compute) ARM(workspaceLocation string) armmachinelearning.ComputeResource {
	size := c.Size
	if size == "" {
		size = DefaultVMSize
	}
	scale := &armmachinelearning.ScaleSettings{MaxNodeCount: to.Ptr(c.MaxInstances), MinNodeCount: to.Ptr(c.MinInstances)}
	if c.IdleSeconds > 0 {
		scale.NodeIdleTimeBeforeScaleDown = to.Ptr(isoDuration(c.IdleSeconds))
	}
	access := armmachinelearning.RemoteLoginPortPublicAccessNotSpecified
	if c.SSHPublicAccess != nil {
		access = armmachinelearning.RemoteLoginPortPublicAccessDisabled
		if *c.SSHPublicAccess {
			access = armmachinelearning.RemoteLoginPortPublicAccessEnabled
		}
	}
	props := &armmachinelearning.AmlComputeProperties{
		VMSize:                      to.Ptr(size),
		ScaleSettings:               scale,
		RemoteLoginPortPublicAccess: to.Ptr(access),
		EnableNodePublicIP:          to.Ptr(c.EnableNodePublicIP),
	}
	switch c.Tier {
	case "dedicated":
		props.VMPriority = to.Ptr(armmachinelearning.VMPriorityDedicated)
	case "low_priority":
		props.VMPriority = to.Ptr(armmachinelearning.VMPriorityLowPriority)
	}
	if c.AdminUser != "" {
		props.UserAccountCredentials = &armmachinelearning.UserAccountCredentials{AdminUserName: to.Ptr(c.AdminUser),
			AdminUserPassword: optional(c.AdminPassword), AdminUserSSHPublicKey: optional(c.SSHKey)}
	}
	location := c.Location
	if location == "" {
		location = workspaceLocation
	}
	body := armmachinelearning.ComputeResource{
		Location: to.Ptr(location),
		Tags:     ptrMap(c.Tags),
		Properties: &armmachinelearning.AmlCompute{
			ComputeType: to.Ptr(armmachinelearning.ComputeTypeAmlCompute),
			Description: optional(c.Description),
			Properties:  props,
		},
	}
	if c.Identity != nil {
		body.Identity = c.Identity.ARM()
	}
	return body
}
