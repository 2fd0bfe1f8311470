package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
)

const (
	fakeSub = "00000000-1111-2222-3333-444444444444"
	fakeWS  = "/subscriptions/" + fakeSub + "/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
	armHost = "management.azure.com"
	// dataHost is the workspace's data plane (discovery's "api").
	dataHost = "westus2.api.azureml.ms"
)

// fakeRequest is one request the fake ARM service received.
type fakeRequest struct {
	// Host is armHost or dataHost; Path is relative to the workspace on
	// ARM and the full path on the data plane.
	Host, Method, Path, Query string
	Body                      map[string]any
	// rawBody is the body as sent.
	rawBody string
}

// fakeARM is an in-memory Azure ML control plane: the workspace, the
// blob datastore (its secret is a SAS for Azurite), asset containers and
// versions, batch endpoints and deployments with long-running operations
// polled through Azure-AsyncOperation (PUT) and Location (DELETE).
type fakeARM struct {
	mu        sync.Mutex
	resources map[string]map[string]any // lower-cased path below the workspace
	requests  []fakeRequest
	ops       map[string]*fakeOp
	// pending is how many polls an operation answers "in progress" before
	// it ends; failWith makes operations end Failed with that message.
	pending  int
	failWith string
	// sasToken is the datastore's secret: a container SAS for Azurite.
	sasToken string
	nextOp   int
	// dataPlane answers data-plane paths (after discovery), keyed by path
	// relative to the workspace scope: "/batchEndpoints/e/jobs", ...
	dataPlane map[string]any
	// extraStores are blob datastores besides workspaceblobstore: name →
	// {container, SAS}.
	extraStores map[string][2]string
	// createdStores are datastores PUT by the test (lower-cased name →
	// the body as sent, secrets included, as the service keeps them).
	createdStores map[string]map[string]any
}

type fakeOp struct {
	polls  int
	delete string // the resource path removed when a delete ends
}

func newFakeARM(sasToken string) *fakeARM {
	return &fakeARM{resources: map[string]map[string]any{}, ops: map[string]*fakeOp{}, sasToken: sasToken, dataPlane: map[string]any{}}
}

func (f *fakeARM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// body is the fake's to keep and change; recorded is what was sent.
	var body, recorded map[string]any
	var raw []byte
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		raw = data
		if len(data) > 0 {
			if err := json.Unmarshal(data, &body); err != nil {
				http.Error(w, "bad json", http.StatusBadRequest)
				return
			}
			_ = json.Unmarshal(data, &recorded)
		}
	}
	if r.URL.Host == dataHost {
		f.requests = append(f.requests, fakeRequest{Host: dataHost, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: recorded})
		f.serveDataPlane(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, fakeWS) {
		writeARMError(w, http.StatusNotFound, "NotFound", "no route "+r.URL.Path)
		return
	}
	rel := strings.TrimPrefix(r.URL.Path, fakeWS)
	f.requests = append(f.requests, fakeRequest{Host: armHost, Method: r.Method, Path: rel, Query: r.URL.RawQuery, Body: recorded, rawBody: string(raw)})
	segs := strings.Split(strings.Trim(rel, "/"), "/")
	switch {
	case rel == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"id": fakeWS, "name": "ws", "location": "westus2",
			"properties": map[string]any{"discoveryUrl": "https://" + dataHost + "/discovery"}})
	case segs[0] == "datastores":
		f.serveDatastore(w, r, segs)
	case segs[0] == "operations":
		f.serveOperation(w, segs[1])
	case segs[0] == "batchEndpoints" || segs[0] == "computes":
		f.serveTracked(w, r, rel, body)
	case segs[0] == "jobs" && len(segs) == 2 && r.Method == http.MethodGet:
		if job, ok := f.resources[strings.ToLower(rel)]; ok {
			writeJSON(w, http.StatusOK, public(job))
		} else {
			writeARMError(w, http.StatusNotFound, "UserError", "job "+segs[1]+" not found")
		}
	case len(segs) == 2 && r.Method == http.MethodGet:
		f.serveContainer(w, segs[0], segs[1])
	case len(segs) == 3 && segs[2] == "versions" && r.Method == http.MethodGet:
		f.listVersions(w, r, segs[0], segs[1])
	case len(segs) == 4 && segs[2] == "versions":
		f.serveVersion(w, r, rel, segs, body)
	default:
		writeARMError(w, http.StatusNotFound, "NotFound", "no route "+rel)
	}
}

// serveDataPlane answers discovery and the data-plane routes under
// /mferp/managementfrontend{ws} and /history/v1.0{ws} from f.dataPlane.
func (f *fakeARM) serveDataPlane(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/discovery" {
		writeJSON(w, http.StatusOK, map[string]any{"api": "https://" + dataHost})
		return
	}
	for _, prefix := range []string{"/mferp/managementfrontend" + fakeWS, "/history/v1.0" + fakeWS, "/data/v1.0" + fakeWS, "/modelregistry/v1.0" + fakeWS} {
		if rel, ok := strings.CutPrefix(r.URL.Path, prefix); ok {
			if body, ok := f.dataPlane[rel]; ok {
				writeJSON(w, http.StatusOK, body)
				return
			}
		}
	}
	writeARMError(w, http.StatusNotFound, "NotFound", "no data-plane route "+r.URL.Path)
}

func (f *fakeARM) serveDatastore(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) == 1 && r.Method == http.MethodGet {
		// The list; workspaceblobstore is the default, as in a new workspace.
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{f.datastoreBody("workspaceblobstore", "azureml-blobstore")}})
		return
	}
	if len(segs) == 2 && (r.Method == http.MethodPut || r.Method == http.MethodDelete) || f.createdStores[strings.ToLower(segs[1])] != nil {
		f.serveCreatedDatastore(w, r, segs)
		return
	}
	name, containerName, sasToken := segs[1], "azureml-blobstore", f.sasToken
	if extra, ok := f.extraStores[name]; ok {
		containerName, sasToken = extra[0], extra[1]
	} else if name != "workspaceblobstore" {
		writeARMError(w, http.StatusNotFound, "UserError", "datastore not found")
		return
	}
	if len(segs) == 3 && segs[2] == "listSecrets" {
		writeJSON(w, http.StatusOK, map[string]any{"secretsType": "Sas", "sasToken": sasToken})
		return
	}
	writeJSON(w, http.StatusOK, f.datastoreBody(name, containerName))
}

// serveCreatedDatastore answers PUT, GET, DELETE and listSecrets of the
// datastores a test creates, as the recording shows them: 201 then 200 for
// PUT with the secrets left out of the answer, 200 for DELETE (204 for a
// missing one), 404 "Could not find datastore" for a GET of a missing one.
func (f *fakeARM) serveCreatedDatastore(w http.ResponseWriter, r *http.Request, segs []string) {
	if f.createdStores == nil {
		f.createdStores = map[string]map[string]any{}
	}
	key := strings.ToLower(segs[1])
	stored := f.createdStores[key]
	switch {
	case len(segs) == 2 && r.Method == http.MethodPut:
		var body map[string]any
		_ = json.NewDecoder(strings.NewReader(f.requests[len(f.requests)-1].rawBody)).Decode(&body)
		status := http.StatusCreated
		if stored != nil {
			status = http.StatusOK
		}
		f.createdStores[key] = body
		writeJSON(w, status, f.createdView(segs[1], body))
	case len(segs) == 2 && r.Method == http.MethodDelete:
		if stored == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		delete(f.createdStores, key)
		w.WriteHeader(http.StatusOK)
	case len(segs) == 2 && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.createdView(segs[1], stored))
	case len(segs) == 3 && segs[2] == "listSecrets":
		creds, _ := stored["properties"].(map[string]any)["credentials"].(map[string]any)
		writeJSON(w, http.StatusOK, creds["secrets"])
	default:
		writeARMError(w, http.StatusNotFound, "NotFound", "no route")
	}
}

// createdView is a stored datastore as the service answers it: no secrets.
func (f *fakeARM) createdView(name string, body map[string]any) map[string]any {
	data, _ := json.Marshal(body)
	var view map[string]any
	_ = json.Unmarshal(data, &view)
	props, _ := view["properties"].(map[string]any)
	if creds, ok := props["credentials"].(map[string]any); ok {
		delete(creds, "secrets")
	}
	props["isDefault"] = false
	view["id"], view["name"], view["type"] = fakeWS+"/datastores/"+name, name, "Microsoft.MachineLearningServices/workspaces/datastores"
	return view
}

func (f *fakeARM) datastoreBody(name, containerName string) map[string]any {
	return map[string]any{
		"id": fakeWS + "/datastores/" + name, "name": name,
		"properties": map[string]any{
			"datastoreType": "AzureBlob", "accountName": "devstoreaccount1", "containerName": containerName,
			"endpoint": "core.windows.net", "protocol": "https", "credentials": map[string]any{"credentialsType": "Sas"},
			"isDefault": name == "workspaceblobstore",
		},
	}
}

// serveContainer derives an asset container from its versions.
func (f *fakeARM) serveContainer(w http.ResponseWriter, kind, name string) {
	prefix := strings.ToLower("/" + kind + "/" + name + "/versions/")
	var versions []string
	for p := range f.resources {
		if strings.HasPrefix(p, prefix) {
			versions = append(versions, p[len(prefix):])
		}
	}
	if len(versions) == 0 {
		writeARMError(w, http.StatusNotFound, "UserError", kind+" container "+name+" not found")
		return
	}
	latest, next := "", 1
	sort.Slice(versions, func(i, j int) bool {
		return f.resources[prefix+versions[i]]["_seq"].(int) < f.resources[prefix+versions[j]]["_seq"].(int)
	})
	for _, v := range versions {
		latest = v
		if n, err := strconv.Atoi(v); err == nil && n >= next {
			next = n + 1
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "properties": map[string]any{"latestVersion": latest, "nextVersion": strconv.Itoa(next)}})
}

// listVersions lists an asset's versions newest first, active ones only
// (the service's default view), at most $top.
func (f *fakeARM) listVersions(w http.ResponseWriter, r *http.Request, kind, name string) {
	prefix := strings.ToLower("/" + kind + "/" + name + "/versions/")
	var items []map[string]any
	for p, res := range f.resources {
		if props, _ := res["properties"].(map[string]any); strings.HasPrefix(p, prefix) && props["isArchived"] != true {
			items = append(items, res)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i]["_seq"].(int) > items[j]["_seq"].(int) })
	if top, err := strconv.Atoi(r.URL.Query().Get("$top")); err == nil && top < len(items) {
		items = items[:top]
	}
	out := []any{}
	for _, it := range items {
		out = append(out, public(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (f *fakeARM) serveVersion(w http.ResponseWriter, r *http.Request, rel string, segs []string, body map[string]any) {
	key := strings.ToLower(rel)
	switch r.Method {
	case http.MethodGet:
		if res, ok := f.resources[key]; ok {
			writeJSON(w, http.StatusOK, public(res))
			return
		}
		writeARMError(w, http.StatusNotFound, "UserError", segs[0]+" version not found")
	case http.MethodPut:
		body["id"], body["name"], body["_seq"] = fakeWS+rel, segs[3], len(f.requests)
		f.resources[key] = body
		writeJSON(w, http.StatusCreated, public(body))
	}
}

// serveTracked serves batch endpoints and deployments with their LROs.
func (f *fakeARM) serveTracked(w http.ResponseWriter, r *http.Request, rel string, body map[string]any) {
	key := strings.ToLower(rel)
	segs := strings.Split(strings.Trim(rel, "/"), "/")
	switch r.Method {
	case http.MethodGet:
		if res, ok := f.resources[key]; ok {
			writeJSON(w, http.StatusOK, res)
			return
		}
		writeARMError(w, http.StatusNotFound, "NotFound", "Resource "+segs[len(segs)-1]+" not found")
	case http.MethodPut:
		body["id"], body["name"] = fakeWS+rel, segs[len(segs)-1]
		props, _ := body["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			body["properties"] = props
		}
		if len(segs) == 2 && segs[0] == "batchEndpoints" {
			props["scoringUri"] = "https://" + segs[1] + ".westus2.inference.ml.azure.com/jobs"
		}
		props["provisioningState"] = "Succeeded"
		f.resources[key] = body
		id := f.newOp(&fakeOp{})
		w.Header().Set("Azure-AsyncOperation", "https://"+armHost+fakeWS+"/operations/"+id+"?api-version=2024-04-01")
		created := map[string]any{}
		for k, v := range body {
			created[k] = v
		}
		createdProps := map[string]any{}
		for k, v := range props {
			createdProps[k] = v
		}
		createdProps["provisioningState"] = "Creating"
		created["properties"] = createdProps
		writeJSON(w, http.StatusCreated, created)
	case http.MethodDelete:
		if _, ok := f.resources[key]; !ok {
			writeARMError(w, http.StatusNotFound, "NotFound", "Resource "+segs[len(segs)-1]+" not found")
			return
		}
		id := f.newOp(&fakeOp{delete: key})
		w.Header().Set("Location", "https://"+armHost+fakeWS+"/operations/"+id+"?api-version=2024-04-01")
		w.WriteHeader(http.StatusAccepted)
	}
}

func (f *fakeARM) newOp(op *fakeOp) string {
	f.nextOp++
	id := fmt.Sprintf("op%d", f.nextOp)
	f.ops[id] = op
	return id
}

func (f *fakeARM) serveOperation(w http.ResponseWriter, id string) {
	op, ok := f.ops[id]
	if !ok {
		writeARMError(w, http.StatusNotFound, "NotFound", "no operation "+id)
		return
	}
	op.polls++
	if op.polls <= f.pending {
		if op.delete != "" {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "InProgress"})
		return
	}
	if f.failWith != "" {
		writeJSON(w, http.StatusOK, map[string]any{"status": "Failed", "error": map[string]any{"code": "BadArgument", "message": f.failWith}})
		return
	}
	if op.delete != "" {
		delete(f.resources, op.delete)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "Succeeded"})
}

// public drops the fake's bookkeeping keys.
func public(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

func (f *fakeARM) seen(method, prefix string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method == method && strings.HasPrefix(strings.ToLower(r.Path), strings.ToLower(prefix)) {
			out = append(out, r)
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeARMError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

// testTransport serves ARM in process and sends Blob requests for the
// datastore's account to Azurite (path-style), so the client runs with
// production URLs.
type testTransport struct {
	arm  http.Handler
	blob *url.URL
}

func (tt *testTransport) Do(req *http.Request) (*http.Response, error) {
	switch {
	case req.URL.Host == armHost || req.URL.Host == dataHost:
		rec := httptest.NewRecorder()
		tt.arm.ServeHTTP(rec, req)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	case strings.HasSuffix(req.URL.Host, ".blob.core.windows.net") && tt.blob != nil:
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = tt.blob.Scheme, tt.blob.Host
		out.URL.Path = tt.blob.Path + req.URL.Path
		if req.URL.RawPath != "" {
			out.URL.RawPath = tt.blob.Path + req.URL.RawPath
		}
		out.Host, out.RequestURI = "", ""
		return http.DefaultTransport.RoundTrip(out)
	}
	return nil, fmt.Errorf("test transport: unexpected host %s", req.URL.Host)
}

// newTestClient returns a client for the fake workspace.
func newTestClient(t *testing.T, arm *fakeARM, blob *url.URL, local bool) *Client {
	t.Helper()
	cl, err := LookupCloud("")
	if err != nil {
		t.Fatal(err)
	}
	tg := &Target{Cloud: cl, Credential: StaticToken("test-token"), Subscription: fakeSub, ResourceGroup: "rg", Workspace: "ws",
		Transport: &testTransport{arm: arm, blob: blob}, Local: local}
	c, err := NewClient(tg, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var fastWait = WaitOptions{PollInterval: time.Millisecond}

// TestCreateOrUpdateEndpointAwaitsTheOperation: the PUT body is sent as
// given, the operation is polled until it succeeds, progress is reported,
// and the final GET is returned.
func TestCreateOrUpdateEndpointAwaitsTheOperation(t *testing.T) {
	arm := newFakeARM("")
	arm.pending = 3
	c := newTestClient(t, arm, nil, false)
	body := armmachinelearning.BatchEndpoint{
		Location:   to.Ptr("westus2"),
		Tags:       map[string]*string{},
		Properties: &armmachinelearning.BatchEndpointProperties{AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken), Description: to.Ptr("d")},
	}
	var ticks int
	w := fastWait
	w.Progress = func(time.Duration) { ticks++ }
	got, err := c.CreateOrUpdateEndpoint(context.Background(), "heart", body, w)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Properties.ProvisioningState == nil || *got.Properties.ProvisioningState != armmachinelearning.EndpointProvisioningStateSucceeded {
		t.Fatalf("endpoint = %+v, want the final state Succeeded", got)
	}
	if polls := arm.seen(http.MethodGet, "/operations/"); len(polls) != 4 {
		t.Errorf("polled %d times, want 4 (3 in progress, then done)", len(polls))
	}
	if ticks < 1 {
		t.Error("no progress reported")
	}
	puts := arm.seen(http.MethodPut, "/batchEndpoints/heart")
	if len(puts) != 1 || puts[0].Body["properties"].(map[string]any)["description"] != "d" || puts[0].Body["location"] != "westus2" {
		t.Errorf("PUT = %+v", puts)
	}
}

// TestNoWaitReturnsAfterTheRequest: with NoWait nothing is polled.
func TestNoWaitReturnsAfterTheRequest(t *testing.T) {
	arm := newFakeARM("")
	arm.pending = 100
	c := newTestClient(t, arm, nil, false)
	body := armmachinelearning.BatchDeployment{Location: to.Ptr("westus2"), Properties: &armmachinelearning.BatchDeploymentProperties{}}
	got, err := c.CreateOrUpdateDeployment(context.Background(), "heart", "blue", body, WaitOptions{NoWait: true})
	if err != nil || got != nil {
		t.Fatalf("got %v, %v; want nil, nil", got, err)
	}
	if polls := arm.seen(http.MethodGet, "/operations/"); len(polls) != 0 {
		t.Errorf("polled %d times with NoWait", len(polls))
	}
	if puts := arm.seen(http.MethodPut, "/batchEndpoints/heart/deployments/blue"); len(puts) != 1 {
		t.Errorf("PUTs = %d, want 1", len(puts))
	}
}

// TestFailedOperationReportsTheServiceError: an operation that ends Failed
// is an error carrying the service's code and message.
func TestFailedOperationReportsTheServiceError(t *testing.T) {
	arm := newFakeARM("")
	arm.pending, arm.failWith = 1, "Compute cpu-cluster does not exist."
	c := newTestClient(t, arm, nil, false)
	body := armmachinelearning.BatchDeployment{Location: to.Ptr("westus2"), Properties: &armmachinelearning.BatchDeploymentProperties{}}
	_, err := c.CreateOrUpdateDeployment(context.Background(), "heart", "blue", body, fastWait)
	if err == nil || !strings.Contains(err.Error(), "Compute cpu-cluster does not exist.") || !strings.Contains(err.Error(), `deployment "blue"`) {
		t.Fatalf("error = %v", err)
	}
}

// TestDeleteAwaitsAndReportsMissing: delete polls the Location until the
// resource is gone; deleting what does not exist is a not-found error.
func TestDeleteAwaitsAndReportsMissing(t *testing.T) {
	arm := newFakeARM("")
	arm.pending = 2
	c := newTestClient(t, arm, nil, false)
	ctx := context.Background()
	body := armmachinelearning.BatchEndpoint{Location: to.Ptr("westus2"), Properties: &armmachinelearning.BatchEndpointProperties{AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken)}}
	if _, err := c.CreateOrUpdateEndpoint(ctx, "heart", body, fastWait); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEndpoint(ctx, "heart", fastWait); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetEndpoint(ctx, "heart"); !clierr.IsNotFound(err) {
		t.Errorf("after delete, GET error = %v, want not found", err)
	}
	if err := c.DeleteEndpoint(ctx, "heart", fastWait); !clierr.IsNotFound(err) {
		t.Errorf("second delete error = %v, want not found (exit 3)", err)
	}
	if err := c.DeleteDeployment(ctx, "heart", "blue", fastWait); !clierr.IsNotFound(err) {
		t.Errorf("delete of a missing deployment: %v", err)
	}
}

// TestSetDefaultDeployment: the endpoint is read and written back with
// defaults.deploymentName, keeping its writable fields and identity but
// none of the read-only ones.
func TestSetDefaultDeployment(t *testing.T) {
	arm := newFakeARM("")
	c := newTestClient(t, arm, nil, false)
	ctx := context.Background()
	arm.resources[strings.ToLower("/batchEndpoints/heart")] = map[string]any{
		"id": fakeWS + "/batchEndpoints/heart", "name": "heart", "location": "westus2", "tags": map[string]any{"a": "b"},
		"identity": map[string]any{"type": "SystemAssigned", "principalId": "p", "tenantId": "t"},
		"properties": map[string]any{"authMode": "AADToken", "description": "d", "scoringUri": "https://x/jobs",
			"properties": map[string]any{"k": "v"}, "provisioningState": "Succeeded"},
	}
	got, err := c.SetDefaultDeployment(ctx, "heart", "blue", fastWait)
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties.Defaults == nil || *got.Properties.Defaults.DeploymentName != "blue" {
		t.Errorf("defaults = %+v", got.Properties.Defaults)
	}
	put := arm.seen(http.MethodPut, "/batchEndpoints/heart")[0].Body
	want := map[string]any{
		"location": "westus2", "tags": map[string]any{"a": "b"}, "identity": map[string]any{"type": "SystemAssigned"},
		"properties": map[string]any{"authMode": "AADToken", "description": "d", "properties": map[string]any{"k": "v"},
			"defaults": map[string]any{"deploymentName": "blue"}},
	}
	if g, w := mustJSON(t, put), mustJSON(t, want); g != w {
		t.Errorf("PUT body\n got %s\nwant %s", g, w)
	}
}

// TestWorkspaceLocation reads the workspace's region.
func TestWorkspaceLocation(t *testing.T) {
	c := newTestClient(t, newFakeARM(""), nil, false)
	loc, err := c.WorkspaceLocation(context.Background())
	if err != nil || loc != "westus2" {
		t.Fatalf("location = %q, %v", loc, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var round any
	_ = json.Unmarshal(data, &round)
	data, _ = json.Marshal(round)
	return string(data)
}
