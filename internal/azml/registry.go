package azml

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
)

// Registries as az reaches them with --registry-name (azure-ai-ml
// _utils/_registry_utils.py RegistryDiscovery): the cloud's registry
// discovery service names the registry's subscription, resource group and
// home region, whose management front end ("mferp") serves the registry's
// assets without going through ARM, so that system registries such as
// azureml, in Microsoft's tenant, answer any signed-in user. Requests carry
// the ARM token and az's api-version for that client.

// registryAPIVersion is the api-version azure-ai-ml's registry client
// (v2021_10_01_dataplanepreview) sends.
const registryAPIVersion = "2021-10-01-dataplanepreview"

// Registry is a discovered registry.
type Registry struct {
	Name          string
	Subscription  string
	ResourceGroup string
	// base is the registry's management front end:
	// <primaryRegionResourceProviderUri>mferp/managementfrontend.
	base string
	c    *Client
}

// OpenRegistry discovers registry name. An unknown registry is a
// not-found error.
func (c *Client) OpenRegistry(ctx context.Context, name string) (*Registry, error) {
	if name == "" || strings.ContainsAny(name, "/?#") {
		return nil, clierr.Usagef("--registry-name %q: give the registry's name, e.g. azureml", name)
	}
	discovery := strings.TrimSuffix(c.T.Cloud.RegistryDiscovery, "/") + "/registrymanagement/v1.0/registries/" + url.PathEscape(name) + "/discovery"
	var d struct {
		RegistryName                     string `json:"registryName"`
		SubscriptionID                   string `json:"subscriptionId"`
		ResourceGroup                    string `json:"resourceGroup"`
		PrimaryRegionResourceProviderURI string `json:"primaryRegionResourceProviderUri"`
	}
	if err := c.getJSONAs(ctx, discovery, "registry "+name, &d); err != nil {
		if clierr.IsNotFound(err) && !c.T.Local && name != "azureml" {
			return nil, &clierr.NotFoundError{Err: fmt.Errorf("%w (check --registry-name: Azure ML's curated models are in registry azureml)", err)}
		}
		if clierr.IsNotFound(err) {
			return nil, err
		}
		return nil, fmt.Errorf("registry %s: discovery: %w", name, err)
	}
	rp, err := url.Parse(d.PrimaryRegionResourceProviderURI)
	// The front end receives the ARM token: only over TLS (or to this
	// machine, for the local workspace and tests).
	if err != nil || rp.Host == "" || (rp.Scheme != "https" && !isLoopbackHTTP(d.PrimaryRegionResourceProviderURI)) {
		return nil, fmt.Errorf("registry %s: discovery returned no usable primaryRegionResourceProviderUri (%q)", name, d.PrimaryRegionResourceProviderURI)
	}
	if d.SubscriptionID == "" || d.ResourceGroup == "" {
		return nil, fmt.Errorf("registry %s: discovery returned no subscriptionId or resourceGroup", name)
	}
	if d.RegistryName != "" {
		name = d.RegistryName
	}
	base := strings.TrimSuffix(d.PrimaryRegionResourceProviderURI, "/") + "/mferp/managementfrontend"
	return &Registry{Name: name, Subscription: d.SubscriptionID, ResourceGroup: d.ResourceGroup, base: base, c: c}, nil
}

// url is the registry's route for path segments below the registry, with
// the query q (api-version added).
func (r *Registry) url(q url.Values, segs ...string) string {
	var b strings.Builder
	b.WriteString(r.base)
	for _, s := range []string{"subscriptions", r.Subscription, "resourceGroups", r.ResourceGroup, "providers", "Microsoft.MachineLearningServices", "registries", r.Name} {
		b.WriteString("/" + url.PathEscape(s))
	}
	for _, s := range segs {
		b.WriteString("/" + url.PathEscape(s))
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("api-version", registryAPIVersion)
	return b.String() + "?" + q.Encode()
}

// ModelVersion returns version of model name in the registry, or with
// version "" the version label resolves to.
func (r *Registry) ModelVersion(ctx context.Context, name, version, label string) (*armmachinelearning.ModelVersion, error) {
	return registryVersion[armmachinelearning.ModelVersion](ctx, r, "models", "model", name, version, label)
}

// ModelVersions lists the versions of model name, newest first; max > 0
// stops after that many.
func (r *Registry) ModelVersions(ctx context.Context, name string, max int) ([]*armmachinelearning.ModelVersion, error) {
	return registryPages[armmachinelearning.ModelVersion](ctx, r, r.versionsURL("models", name, max), max, "versions of model "+name)
}

// ComponentVersion returns version of component name in the registry, or
// with version "" the version label resolves to.
func (r *Registry) ComponentVersion(ctx context.Context, name, version, label string) (*armmachinelearning.ComponentVersion, error) {
	return registryVersion[armmachinelearning.ComponentVersion](ctx, r, "components", "component", name, version, label)
}

// registryVersion GETs version of asset name of kind (the route's plural:
// models, components; what names it in messages), resolving label first
// when version is "".
func registryVersion[T any](ctx context.Context, r *Registry, kind, what, name, version, label string) (*T, error) {
	if version == "" {
		var err error
		if version, err = r.latest(ctx, kind, what, name, label); err != nil {
			return nil, err
		}
	}
	var v T
	if err := r.c.getJSONAs(ctx, r.url(nil, kind, name, "versions", version), fmt.Sprintf("%s %s version %s in registry %s", what, name, version, r.Name), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// versionsURL lists the versions of asset name of kind (the route's
// plural: models, components), newest first.
func (r *Registry) versionsURL(kind, name string, max int) string {
	q := url.Values{"$orderBy": {"createdtime desc"}}
	if max > 0 {
		q.Set("$top", strconv.Itoa(max))
	}
	return r.url(q, kind, name, "versions")
}

// latest resolves label latest of asset name as azure-ai-ml does for a
// registry: the newest version ($orderBy=createdtime desc, $top=1). what
// names the kind in messages (model, component).
func (r *Registry) latest(ctx context.Context, kind, what, name, label string) (string, error) {
	if label != "latest" {
		return "", clierr.Usagef("--label %s: %ss have one label, latest; pass --label latest or --version <version>", label, what)
	}
	type named struct {
		Name *string `json:"name"`
	}
	got, err := registryPages[named](ctx, r, r.versionsURL(kind, name, 1), 1, "versions of "+what+" "+name)
	if err != nil {
		return "", err
	}
	if len(got) == 0 || got[0].Name == nil {
		return "", clierr.NotFoundf("%s %s has no version in registry %s, so label latest resolves to nothing", what, name, r.Name)
	}
	return *got[0].Name, nil
}

// ModelContainers lists the registry's models; max > 0 stops after that
// many.
func (r *Registry) ModelContainers(ctx context.Context, view ListView, max int) ([]*armmachinelearning.ModelContainer, error) {
	q := url.Values{"listViewType": {string(*view.arm())}}
	return registryPages[armmachinelearning.ModelContainer](ctx, r, r.url(q, "models"), max, "models")
}

// maxRegistryPages bounds a listing that keeps answering nextLinks.
const maxRegistryPages = 1000

// registryPages follows a paged list (value, nextLink) from u.
func registryPages[T any](ctx context.Context, r *Registry, u string, max int, what string) ([]*T, error) {
	var out []*T
	for range maxRegistryPages {
		var page struct {
			Value    []*T   `json:"value"`
			NextLink string `json:"nextLink"`
		}
		if err := r.c.getJSONAs(ctx, u, what+" in registry "+r.Name, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Value {
			out = append(out, it)
			if max > 0 && len(out) >= max {
				return out, nil
			}
		}
		if page.NextLink == "" {
			return out, nil
		}
		// A next page elsewhere would receive the token.
		if !strings.HasPrefix(page.NextLink, r.base+"/") {
			return nil, fmt.Errorf("%s in registry %s: the service sent a nextLink outside the registry (%s)", what, r.Name, redactedPath(page.NextLink))
		}
		u = page.NextLink
	}
	return nil, fmt.Errorf("%s in registry %s: more than %d pages", what, r.Name, maxRegistryPages)
}

// RegistryAssetID is the azureml://registries/... form of a registry
// asset's id, which deployments take as written; an id already in that
// form is returned as is.
func RegistryAssetID(id string) string {
	if strings.HasPrefix(strings.ToLower(id), "azureml://") {
		return id
	}
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i, s := range segs {
		if strings.EqualFold(s, "registries") && i+1 < len(segs) {
			return "azureml://registries/" + strings.Join(segs[i+1:], "/")
		}
	}
	return id
}

// RegistryModelView is ModelView for a registry's model version: its id
// in the azureml://registries/... form a deployment's model: takes.
func RegistryModelView(m *armmachinelearning.ModelVersion) map[string]any {
	return withRegistryID(ModelView(m))
}

// RegistryModelContainerView is ModelContainerView for a registry's model.
func RegistryModelContainerView(m *armmachinelearning.ModelContainer) map[string]any {
	return withRegistryID(ModelContainerView(m))
}

// RegistryComponentView is ComponentView for a registry's component
// version, its id in the azureml://registries/... form.
func RegistryComponentView(cv *armmachinelearning.ComponentVersion) map[string]any {
	return withRegistryID(ComponentView(cv))
}

// withRegistryID rewrites a view's ARM id into the azureml://registries/...
// form (RegistryAssetID).
func withRegistryID(v map[string]any) map[string]any {
	if id, ok := v["id"].(string); ok {
		v["id"] = RegistryAssetID(id)
	}
	return v
}
