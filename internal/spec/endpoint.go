package spec

import (
	"context"
	"io"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Endpoint is a batch endpoint YAML file (batchEndpoint.schema.json) after
// overrides. Read-only keys of az's dump (id, scoring_uri, openapi_uri,
// provisioning_state, location) are accepted and not sent; the endpoint's
// location is the workspace's, as az sends it.
type Endpoint struct {
	// File is the YAML file, "" when every key came from flags.
	File string
	// Name is required (name: or --name).
	Name        string
	Description string
	// Tags and Properties are nil when not given; tags are sent as {} then,
	// as az sends them.
	Tags       map[string]string
	Properties map[string]string
	// AuthMode is az's spelling: aad_token (the default, the only mode
	// batch endpoints support on Azure), aml_token or key.
	AuthMode string
	// DefaultDeployment is defaults.deployment_name ("" = not set).
	DefaultDeployment string
	// Identity is nil when not given. It is sent: az's schema accepts it
	// but azure-ai-ml leaves it out of the PUT, so the endpoint's identity
	// never changes through az.
	Identity *Identity
}

// Identity is a managed identity block (identity: in the YAML).
type Identity struct {
	// Type is az's spelling: system_assigned, user_assigned, none or
	// system_assigned,user_assigned.
	Type string
	// UserAssigned are the ARM ids of the user-assigned identities.
	UserAssigned []string
}

// Endpoint auth modes, as written in YAML.
const (
	AuthAADToken = "aad_token"
	AuthAMLToken = "aml_token"
	AuthKey      = "key"
)

var (
	endpointKeys = []string{"$schema", "name", "id", "description", "tags", "properties", "auth_mode",
		"scoring_uri", "openapi_uri", "location", "provisioning_state", "identity", "defaults"}
	endpointDefaultsKeys = []string{"deployment_name"}
	identityKeys         = []string{"type", "principal_id", "tenant_id", "user_assigned_identities"}
	userIdentityKeys     = []string{"resource_id", "client_id", "object_id", "principal_id"}
	identityTypes        = []string{"system_assigned", "user_assigned", "none", "system_assigned,user_assigned"}
	authModes            = []string{AuthAADToken, AuthAMLToken, AuthKey}

	// endpointNameRE is the SDK's rule for endpoint and deployment names.
	endpointNameRE = regexp.MustCompile(`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
)

// LoadEndpoint reads a batch endpoint YAML file (path "" = flags only, "-" = stdin) and
// applies overrides, then validates it.
func LoadEndpoint(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Endpoint, error) {
	root, file, base, err := readTree(ctx, path, stdin, "batch endpoint")
	if err != nil {
		return nil, err
	}
	return decodeEndpoint(root, file, base, overrides, path)
}

// EndpointFromDoc decodes an endpoint given as a document (az's dump of an
// existing endpoint, for `update` without --file) after overrides.
// Relative paths resolve against the current directory.
func EndpointFromDoc(name string, doc map[string]any, overrides []Override) (*Endpoint, error) {
	root, base, err := treeFromDoc(doc)
	if err != nil {
		return nil, err
	}
	return decodeEndpoint(root, "(batch endpoint "+name+")", base, overrides, "")
}

func decodeEndpoint(root *yaml.Node, file, base string, overrides []Override, path string) (*Endpoint, error) {
	d := &decoder{file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	o, err := d.object(root, "the batch endpoint", endpointKeys)
	if err != nil {
		return nil, err
	}
	e := &Endpoint{File: path, AuthMode: AuthAADToken}
	if err := o.require("name", "add name: <endpoint name> to the file or pass --name"); err != nil {
		return nil, err
	}
	if e.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if err := d.checkResourceName(o.node("name"), "an endpoint", e.Name); err != nil {
		return nil, err
	}
	if e.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if e.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if e.Properties, err = o.strMap("properties"); err != nil {
		return nil, err
	}
	if o.has("auth_mode") {
		if e.AuthMode, err = o.enum("auth_mode", authModes); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"id", "scoring_uri", "openapi_uri", "location", "provisioning_state"} {
		if _, err := o.str(k); err != nil {
			return nil, err
		}
	}
	if n := o.node("defaults"); n != nil {
		def, err := d.object(n, "defaults", endpointDefaultsKeys)
		if err != nil {
			return nil, err
		}
		if e.DefaultDeployment, err = def.str("deployment_name"); err != nil {
			return nil, err
		}
	}
	if n := o.node("identity"); n != nil {
		if e.Identity, err = d.identity(n); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// identity decodes an identity: block.
func (d *decoder) identity(n *yaml.Node) (*Identity, error) {
	o, err := d.object(n, "identity", identityKeys)
	if err != nil {
		return nil, err
	}
	id := &Identity{}
	if err := o.require("type", "add type: system_assigned (or user_assigned with user_assigned_identities)"); err != nil {
		return nil, err
	}
	if id.Type, err = o.enum("type", identityTypes); err != nil {
		return nil, err
	}
	for _, k := range []string{"principal_id", "tenant_id"} {
		if _, err := o.str(k); err != nil {
			return nil, err
		}
	}
	if list := o.node("user_assigned_identities"); list != nil {
		if list.Kind != yaml.SequenceNode {
			return nil, d.errf(list, "identity.user_assigned_identities must be a list of {resource_id: <identity ARM id>}, not %s", kindName(list))
		}
		for _, item := range list.Content {
			u, err := d.object(item, "identity.user_assigned_identities item", userIdentityKeys)
			if err != nil {
				return nil, err
			}
			if err := u.require("resource_id", "add resource_id: /subscriptions/.../userAssignedIdentities/<name>"); err != nil {
				return nil, err
			}
			rid, err := u.str("resource_id")
			if err != nil {
				return nil, err
			}
			id.UserAssigned = append(id.UserAssigned, rid)
		}
	}
	return id, nil
}

// checkResourceName applies the SDK's rule for endpoint and deployment
// names (what is "an endpoint" or "a deployment").
func (d *decoder) checkResourceName(n *yaml.Node, what, name string) error {
	if len(name) < 3 || len(name) > 32 {
		return d.errf(n, "the name for %s must be 3 to 32 characters long; %q has %d", what, name, len(name))
	}
	if !endpointNameRE.MatchString(name) {
		return d.errf(n, "the name for %s must start with a letter, hold only letters, digits and '-', and end with a letter or digit; %q does not", what, name)
	}
	return nil
}

// treeFromDoc turns a document into a YAML tree, relative paths resolving
// against the current directory.
func treeFromDoc(doc map[string]any) (*yaml.Node, string, error) {
	var root yaml.Node
	if err := root.Encode(doc); err != nil {
		return nil, "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, "", err
	}
	return &root, wd, nil
}
