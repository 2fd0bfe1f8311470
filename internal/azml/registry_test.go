package azml

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

const (
	discoveryHost = "eastus.api.azureml.ms"
	mfeHost       = "cert-westus.experiments.azureml.net"
	registryPath  = "/mferp/managementfrontend/subscriptions/reg-sub/resourceGroups/reg-rg/providers/Microsoft.MachineLearningServices/registries/azureml"
)

// fakeRegistry answers registry discovery and the registry's management
// front end the way azure-ai-ml's registry clients read them, and records
// every request.
type fakeRegistry struct {
	mu       sync.Mutex
	requests []*http.Request
	// primary is the primaryRegionResourceProviderUri discovery returns.
	primary string
	// versions are model bert's versions, newest first.
	versions []string
	// nextLink, when set, replaces the version list's next page link.
	nextLink string
}

func (f *fakeRegistry) Do(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	rec := httptest.NewRecorder()
	f.serve(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	notFound := func(msg string) {
		reply(http.StatusNotFound, map[string]any{"error": map[string]any{"code": "NotFound", "message": msg}})
	}
	if r.Header.Get("Authorization") != "Bearer test-token" {
		reply(http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "Unauthorized", "message": "no token"}})
		return
	}
	switch {
	case r.URL.Host == discoveryHost && r.URL.Path == "/registrymanagement/v1.0/registries/azureml/discovery":
		reply(http.StatusOK, map[string]any{"registryName": "azureml", "subscriptionId": "reg-sub", "resourceGroup": "reg-rg",
			"primaryRegion": "westus", "primaryRegionResourceProviderUri": f.primary})
	case r.URL.Host == discoveryHost:
		notFound("Registry not found")
	case r.URL.Host == mfeHost && r.URL.Query().Get("api-version") != registryAPIVersion:
		reply(http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "BadRequest", "message": "api-version " + r.URL.Query().Get("api-version")}})
	case r.URL.Host == mfeHost && r.URL.Path == registryPath+"/models/bert/versions":
		vs := f.versions
		if top := r.URL.Query().Get("$top"); top == "1" && len(vs) > 1 {
			vs = vs[:1]
		}
		// Two pages: the first version, then the rest.
		page := map[string]any{}
		if r.URL.Query().Get("$skip") == "" && len(vs) > 1 {
			vs = vs[:1]
			page["nextLink"] = "https://" + mfeHost + registryPath + "/models/bert/versions?api-version=" + registryAPIVersion + "&$skip=1"
			if f.nextLink != "" {
				page["nextLink"] = f.nextLink
			}
		} else if r.URL.Query().Get("$skip") != "" {
			vs = f.versions[1:]
		}
		var value []any
		for _, v := range vs {
			value = append(value, modelVersionJSON(v))
		}
		page["value"] = value
		reply(http.StatusOK, page)
	case r.URL.Host == mfeHost && strings.HasPrefix(r.URL.Path, registryPath+"/models/bert/versions/"):
		v := strings.TrimPrefix(r.URL.Path, registryPath+"/models/bert/versions/")
		for _, have := range f.versions {
			if have == v {
				reply(http.StatusOK, modelVersionJSON(v))
				return
			}
		}
		notFound("Model version not found")
	case r.URL.Host == mfeHost && r.URL.Path == registryPath+"/components/finetune/versions":
		reply(http.StatusOK, map[string]any{"value": []any{componentVersionJSON("0.0.9")}})
	case r.URL.Host == mfeHost && r.URL.Path == registryPath+"/components/finetune/versions/0.0.9":
		reply(http.StatusOK, componentVersionJSON("0.0.9"))
	default:
		notFound("no route " + r.URL.String())
	}
}

// modelVersionJSON is a registry model version as the service returns it:
// the ARM shape, with the registry's ARM id.
func modelVersionJSON(v string) map[string]any {
	return map[string]any{
		"id":   "/subscriptions/reg-sub/resourceGroups/reg-rg/providers/Microsoft.MachineLearningServices/registries/azureml/models/bert/versions/" + v,
		"name": v,
		"type": "Microsoft.MachineLearningServices/registries/models/versions",
		"properties": map[string]any{
			"modelType":   "mlflow_model",
			"modelUri":    "https://registrystore.blob.core.windows.net/bert/" + v,
			"description": "bert " + v,
			"tags":        map[string]any{"task": "fill-mask"},
		},
	}
}

// componentVersionJSON is a registry pipeline component version.
func componentVersionJSON(v string) map[string]any {
	return map[string]any{
		"id":   "/subscriptions/reg-sub/resourceGroups/reg-rg/providers/Microsoft.MachineLearningServices/registries/azureml/components/finetune/versions/" + v,
		"name": v,
		"properties": map[string]any{
			"componentSpec": map[string]any{"name": "finetune", "version": v, "type": "pipeline",
				"inputs": map[string]any{"epochs": map[string]any{"type": "integer", "default": "3"}}},
		},
	}
}

func (f *fakeRegistry) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, r.URL.Host+r.URL.Path+"?"+r.URL.RawQuery)
	}
	return out
}

func newRegistryClient(t *testing.T, f *fakeRegistry) *Client {
	t.Helper()
	cl, err := LookupCloud("")
	if err != nil {
		t.Fatal(err)
	}
	// No resource group or workspace: a registry command needs none.
	c, err := NewClient(&Target{Cloud: cl, Credential: StaticToken("test-token"), Transport: f}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRegistryModels: --registry-name discovers the registry, then reads
// its models from the registry's front end with az's api-version, newest
// first across pages, and shows ids in the azureml://registries form.
func TestRegistryModels(t *testing.T) {
	f := &fakeRegistry{primary: "https://" + mfeHost + "/", versions: []string{"17", "16", "15"}}
	c := newRegistryClient(t, f)
	ctx := context.Background()
	reg, err := c.OpenRegistry(ctx, "azureml")
	if err != nil {
		t.Fatal(err)
	}
	if reg.Subscription != "reg-sub" || reg.ResourceGroup != "reg-rg" {
		t.Errorf("registry = %+v, want discovery's subscription and resource group", reg)
	}

	versions, err := reg.ModelVersions(ctx, "bert", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range versions {
		got = append(got, *v.Name)
	}
	if strings.Join(got, ",") != "17,16,15" {
		t.Errorf("versions = %v, want 17,16,15 (both pages)", got)
	}
	if first := f.paths()[1]; !strings.Contains(first, "%24orderBy=createdtime+desc") {
		t.Errorf("version list %s is not ordered newest first", first)
	}

	latest, err := reg.ModelVersion(ctx, "bert", "", "latest")
	if err != nil || latest.Name == nil || *latest.Name != "17" {
		t.Fatalf("latest = %+v, %v; want 17", latest, err)
	}
	m, err := reg.ModelVersion(ctx, "bert", "16", "")
	if err != nil {
		t.Fatal(err)
	}
	view := RegistryModelView(m)
	if view["id"] != "azureml://registries/azureml/models/bert/versions/16" || view["name"] != "bert" || view["version"] != "16" || view["type"] != "mlflow_model" {
		t.Errorf("view = %v", view)
	}

	_, err = reg.ModelVersion(ctx, "bert", "99", "")
	if !clierr.IsNotFound(err) || !strings.Contains(err.Error(), "model bert version 99 in registry azureml not found") {
		t.Errorf("missing version: %v, want a not-found error naming it", err)
	}
	for _, p := range f.paths() {
		if strings.HasPrefix(p, mfeHost) && !strings.Contains(p, "api-version="+registryAPIVersion) {
			t.Errorf("%s: not az's registry api-version", p)
		}
	}
}

// TestRegistryRefusals: an unknown registry is a not-found error; a
// discovery answer or a next page that would send the token somewhere
// else, or over plain HTTP, is refused before any request goes there.
func TestRegistryRefusals(t *testing.T) {
	ctx := context.Background()
	c := newRegistryClient(t, &fakeRegistry{primary: "https://" + mfeHost + "/"})
	if _, err := c.OpenRegistry(ctx, "nosuch"); !clierr.IsNotFound(err) || !strings.Contains(err.Error(), "registry nosuch not found") {
		t.Errorf("unknown registry: %v", err)
	}
	if _, err := c.OpenRegistry(ctx, "a/b"); !clierr.IsUsage(err) {
		t.Errorf("registry name with a slash: %v, want a usage error", err)
	}

	plain := &fakeRegistry{primary: "http://" + mfeHost + "/"}
	if _, err := newRegistryClient(t, plain).OpenRegistry(ctx, "azureml"); err == nil || !strings.Contains(err.Error(), "primaryRegionResourceProviderUri") {
		t.Errorf("plain-HTTP front end: %v, want a refusal", err)
	}

	elsewhere := &fakeRegistry{primary: "https://" + mfeHost + "/", versions: []string{"2", "1"}, nextLink: "https://attacker.example/page2"}
	reg, err := newRegistryClient(t, elsewhere).OpenRegistry(ctx, "azureml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.ModelVersions(ctx, "bert", 0); err == nil || !strings.Contains(err.Error(), "nextLink outside the registry") {
		t.Errorf("foreign nextLink: %v, want a refusal", err)
	}
	for _, p := range elsewhere.paths() {
		if strings.HasPrefix(p, "attacker.example") {
			t.Errorf("a request went to %s", p)
		}
	}
}

// TestRegistryTargetNeedsNoWorkspace: with NoWorkspace, target resolution
// asks for neither a resource group nor a workspace (nor a subscription,
// which discovery supplies).
func TestRegistryTargetNeedsNoWorkspace(t *testing.T) {
	home := t.TempDir()
	getenv := func(k string) string {
		switch k {
		case "HOME":
			return home
		case "AZURE_CONFIG_DIR":
			return home
		}
		return ""
	}
	if _, err := ResolveTarget(TargetOptions{Getenv: getenv}); err == nil || !clierr.IsUsage(err) {
		t.Fatalf("workspace target without group: %v, want a usage error", err)
	}
	tg, err := ResolveTarget(TargetOptions{Getenv: getenv, NoWorkspace: true})
	if err != nil {
		t.Fatalf("registry target: %v", err)
	}
	if tg.ResourceGroup != "" || tg.Workspace != "" {
		t.Errorf("target = %+v", tg)
	}
}

// TestRegistryComponents: component show --registry-name resolves latest
// from the registry's newest version and shows the component's keys with
// the azureml://registries id.
func TestRegistryComponents(t *testing.T) {
	f := &fakeRegistry{primary: "https://" + mfeHost + "/"}
	ctx := context.Background()
	reg, err := newRegistryClient(t, f).OpenRegistry(ctx, "azureml")
	if err != nil {
		t.Fatal(err)
	}
	cv, err := reg.ComponentVersion(ctx, "finetune", "", "latest")
	if err != nil {
		t.Fatal(err)
	}
	view := RegistryComponentView(cv)
	if view["id"] != "azureml://registries/azureml/components/finetune/versions/0.0.9" || view["type"] != "pipeline" || view["inputs"] == nil {
		t.Errorf("view = %v", view)
	}
	if _, err := reg.ComponentVersion(ctx, "finetune", "1.0", ""); !clierr.IsNotFound(err) {
		t.Errorf("missing version: %v, want not found", err)
	}
	if _, err := reg.ComponentVersion(ctx, "finetune", "", "stable"); !clierr.IsUsage(err) {
		t.Errorf("label stable: %v, want a usage error", err)
	}
}
