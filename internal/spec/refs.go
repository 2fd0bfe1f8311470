package spec

import (
	"fmt"
	"strings"
)

// AssetKind is a family of workspace assets, spelled as in ARM paths.
type AssetKind string

// The asset kinds a deployment or data asset refers to.
const (
	KindModel       AssetKind = "models"
	KindCode        AssetKind = "codes"
	KindEnvironment AssetKind = "environments"
	KindData        AssetKind = "data"
	KindComponent   AssetKind = "components"
)

// Singular is the kind's name in messages ("model").
func (k AssetKind) Singular() string {
	switch k {
	case KindData:
		return "data asset"
	case KindCode:
		return "code"
	}
	return strings.TrimSuffix(string(k), "s")
}

// Ref is a reference to a registered asset, written as az writes them:
// azureml:<name>:<version>, azureml:<name>@<label>, an ARM id (with or
// without the azureml: prefix) or a registry URI (azureml://registries/...).
type Ref struct {
	Kind AssetKind
	// Raw is the reference as written.
	Raw string
	// Name with Version or Label ("latest") for the azureml:name forms.
	Name, Version, Label string
	// ID is set for ARM ids and registry URIs, which are sent as written.
	ID string
	// At locates the reference ("deployment.yml:7") for messages about
	// resolving it.
	At string
}

// IsRegistry reports whether the reference names an asset in a registry
// (azureml://registries/...), which is sent without resolution.
func (r *Ref) IsRegistry() bool {
	return strings.HasPrefix(strings.ToLower(r.ID), "azureml://registries/")
}

// ParseRef parses s as a reference to an asset of kind. The error says which
// forms are accepted; callers prefix it with the location.
func ParseRef(kind AssetKind, s string) (*Ref, error) {
	r := &Ref{Kind: kind, Raw: s}
	lower := strings.ToLower(s)
	forms := fmt.Sprintf("azureml:<name>:<version>, azureml:<name>@latest or the %s version's ARM id", kind.Singular())
	switch {
	case strings.HasPrefix(lower, "azureml://registries/"):
		r.ID = s
		return r, nil
	case strings.HasPrefix(lower, "azureml:/subscriptions/"), strings.HasPrefix(lower, "/subscriptions/"):
		id := s[strings.Index(lower, "/subscriptions/"):]
		if !strings.Contains(strings.ToLower(id), "/"+string(kind)+"/") {
			return nil, fmt.Errorf("%q is not the ARM id of a %s (it has no /%s/ segment); use %s", s, kind.Singular(), kind, forms)
		}
		r.ID = id
		return r, nil
	case !strings.HasPrefix(lower, "azureml:"):
		return nil, fmt.Errorf("%q is not a %s reference; use %s", s, kind.Singular(), forms)
	}
	rest := s[len("azureml:"):]
	if strings.Contains(rest, "/") {
		return nil, fmt.Errorf("could not parse %q: a name cannot contain '/' (an ARM id starts with '/'); use %s", s, forms)
	}
	if name, label, ok := strings.Cut(rest, "@"); ok {
		if name == "" || label == "" {
			return nil, fmt.Errorf("%q has an empty name or label; use %s", s, forms)
		}
		r.Name, r.Label = name, label
		return r, nil
	}
	name, version, ok := strings.Cut(rest, ":")
	if !ok || name == "" || version == "" {
		return nil, fmt.Errorf("%q has no version; use azureml:%s:<version> or azureml:%s@latest", s, strings.TrimSuffix(rest, ":"), strings.TrimSuffix(rest, ":"))
	}
	r.Name, r.Version = name, version
	return r, nil
}

// VersionID is the ARM id of version version of asset name in the workspace
// whose ARM id is workspaceID.
func VersionID(workspaceID string, kind AssetKind, name, version string) string {
	return fmt.Sprintf("%s/%s/%s/versions/%s", workspaceID, kind, name, version)
}

// ComputeID is the ARM id az sends for a deployment's compute:
// azureml:<name> and a bare <name> become the workspace's compute <name>; an
// ARM id is kept. An empty compute stays empty.
func ComputeID(workspaceID, compute string) string {
	c := compute
	if strings.HasPrefix(strings.ToLower(c), "azureml:") {
		c = c[len("azureml:"):]
	}
	switch {
	case c == "":
		return ""
	case strings.HasPrefix(strings.ToLower(c), "/subscriptions/"):
		return c
	}
	return workspaceID + "/computes/" + c
}

// ComputeName is the cluster name of a compute reference, for messages.
func ComputeName(compute string) string {
	c := strings.TrimPrefix(compute, "azureml:")
	if i := strings.LastIndex(c, "/computes/"); i >= 0 {
		return c[i+len("/computes/"):]
	}
	return c
}
