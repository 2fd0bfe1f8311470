package localws

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TestTraversalRejected tries to reach outside the state folder through
// every name a request can carry: input, output and code paths, script and
// file names, URL path segments and log names.
func TestTraversalRejected(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	secret := filepath.Join(filepath.Dir(e.dir), "secret.txt")
	if err := os.WriteFile(secret, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A symbolic link planted inside the container that points outside.
	link := filepath.Join(e.dir, "blob", e.srv.account, e.container(), "escape")
	if err := os.Symlink(filepath.Dir(e.dir), link); err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		"azureml://datastores/workspaceblobstore/paths/../../../state.db",
		"azureml://datastores/workspaceblobstore/paths/data/../../..",
		"azureml://datastores/workspaceblobstore/paths/..%2f..%2fstate.db",
		"azureml://datastores/workspaceblobstore/paths/data\\..\\..\\x",
		"azureml://datastores/workspaceblobstore/paths/escape/secret.txt",
		"azureml://datastores/workspaceblobstore/paths/escape/",
		e.url + "/blob/" + e.srv.account + "/" + e.container() + "/../../state.db",
	}
	for _, in := range inputs {
		t.Run("input "+in, func(t *testing.T) {
			resp, data := e.invoke("ep", folderBody(in), nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.StatusCode, data)
			}
			t.Logf("%s", armErrorOf(t, data).Message)
		})
	}
	outputs := []string{
		"azureml://datastores/workspaceblobstore/paths/../../evil.csv",
		"azureml://datastores/workspaceblobstore/paths/escape/evil.csv",
	}
	for _, out := range outputs {
		t.Run("output "+out, func(t *testing.T) {
			body := `{"properties":{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/data/in/"}},
				"outputData":{"score":{"jobOutputType":"UriFile","uri":"` + out + `"}}}}`
			resp, data := e.invoke("ep", body, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.StatusCode, data)
			}
			t.Logf("%s", armErrorOf(t, data).Message)
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.dir), "evil.csv")); err == nil {
		t.Errorf("an output was written outside the state folder")
	}

	// A code version whose URI climbs out, and a scoring script that does.
	ctx := context.Background()
	f := e.factory()
	if _, err := f.NewCodeVersionsClient().CreateOrUpdate(ctx, rg, ws, "evil-code", "1", armmachinelearning.CodeVersion{
		Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/../..")},
	}, nil); err != nil {
		t.Fatalf("register code: %v", err)
	}
	_, err := e.tryCreateDeployment("ep", "evil", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:score-code:1"), ScoringScript: to.Ptr("../../x.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model:1")},
	})
	if !isStatus(err, http.StatusBadRequest) {
		t.Errorf("scoring script ../../x.py: %v, want 400", err)
	}
	_, err = e.tryCreateDeployment("ep", "evil", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:score-code:1"), ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model:1")},
		OutputFileName:    to.Ptr("../predictions.csv"),
	})
	if !isStatus(err, http.StatusBadRequest) {
		t.Errorf("outputFileName ../predictions.csv: %v, want 400", err)
	}
	e.createDeployment("ep", "evil", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:evil-code:1"), ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model:1")},
	})
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), map[string]string{"azureml-model-deployment": "evil"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), "cannot run") {
		t.Errorf("invoking a deployment whose code climbs out: %d %s, want 400", resp.StatusCode, data)
	}

	// URL path segments: encoded dots and slashes in names.
	for _, p := range []string{
		wsPath() + "/batchEndpoints/%2e%2e?api-version=2024-04-01",
		wsPath() + "/batchEndpoints/a%2fb?api-version=2024-04-01",
		wsPath() + "/codes/..%5cx?api-version=2024-04-01",
		"/history/v1.0" + wsPath() + "/runs/x/logs/%2e%2e/%2e%2e/state.db",
	} {
		resp, data := e.do(http.MethodPut, p, `{"location":"local","properties":{"authMode":"AADToken"}}`, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT %s: %d, want 400: %s", p, resp.StatusCode, data)
		}
		t.Logf("PUT %s: %s", p, armErrorOf(t, data).Message)
	}
	// Log names of a real job.
	resp, data = e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[struct{ Name string }](t, data).Name
	e.waitStatus(job, "Completed")
	logLink := filepath.Join(e.srv.jobDir(job), "logs", "up")
	if err := os.Symlink(filepath.Dir(e.dir), logLink); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/logs/%2e%2e/%2e%2e/state.db", "/logs/up/secret.txt", "/logs/..%2F..%2Fstate.db"} {
		resp, data := e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+p, nil, nil)
		if resp.StatusCode == http.StatusOK {
			t.Errorf("GET log %s: 200, want an error", p)
		}
		t.Logf("GET log %s: %d %s", p, resp.StatusCode, data)
	}
}

// TestBodyLimit answers 413 to bodies over MaxBodyBytes, declared or not.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxBodyBytes = 1024 })
	big := `{"location":"local","properties":{"authMode":"AADToken","description":"` + strings.Repeat("x", 2048) + `"}}`
	resp, data := e.do(http.MethodPut, wsPath()+"/batchEndpoints/big?api-version=2024-04-01", big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || armErrorOf(t, data).Code != codeTooLarge {
		t.Fatalf("declared length: %d %s, want 413", resp.StatusCode, data)
	}
	// Chunked: no Content-Length, cut while reading.
	req, _ := http.NewRequest(http.MethodPost, e.url+"/endpoints/ep/jobs", strings.NewReader(big))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.token)
	e.createEndpoint("ep")
	r2, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body: %d, want 413", r2.StatusCode)
	}
	if resp, _ := e.do(http.MethodGet, wsPath()+"/batchEndpoints/big?api-version=2024-04-01", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the oversized PUT created the endpoint: %d", resp.StatusCode)
	}
}

// TestARMBodyRules: JSON bodies are bounded and checked as ARM does: over
// 4 MiB is a 413 whatever MaxBodyBytes allows (a 50 MB description is
// refused before it is read), a body not declared JSON is a 415, a body
// that is not UTF-8 a 400; none of them creates anything.
func TestARMBodyRules(t *testing.T) {
	e := newEnv(t)
	endpoint := func(description string) string {
		return `{"location":"local","properties":{"authMode":"AADToken","description":"` + description + `"}}`
	}
	path := wsPath() + "/batchEndpoints/big?api-version=2024-04-01"
	tests := []struct {
		name     string
		body     string
		headers  map[string]string
		status   int
		code     string
		contains string
	}{
		{"50 MB description", endpoint(strings.Repeat("x", 50<<20)), nil, http.StatusRequestEntityTooLarge, codeTooLarge,
			"request body is larger than 4 MiB, the most Azure Resource Manager accepts"},
		{"just over 4 MiB", endpoint(strings.Repeat("x", 4<<20)), nil, http.StatusRequestEntityTooLarge, codeTooLarge, "4 MiB"},
		{"text/plain", endpoint("d"), map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType, codeUnsupportedMediaType,
			"The content media type 'text/plain' is not supported. Only 'application/json' is supported."},
		{"no Content-Type", endpoint("d"), map[string]string{"Content-Type": ""}, http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "Only 'application/json'"},
		{"latin-1 charset", endpoint("d"), map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "Only 'application/json'"},
		{"invalid UTF-8", endpoint("a\xffb"), nil, http.StatusBadRequest, codeInvalidRequestContent,
			"The request content was invalid and could not be deserialized: it is not valid UTF-8 (at byte 72)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := e.do(http.MethodPut, path, tt.body, tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %.200s, want %d", resp.StatusCode, data, tt.status)
			}
			if ae := armErrorOf(t, data); ae.Code != tt.code || !strings.Contains(ae.Message, tt.contains) {
				t.Fatalf("error %+v, want code %s and a message containing %q", ae, tt.code, tt.contains)
			}
			if resp, _ := e.do(http.MethodGet, path, nil, nil); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("the refused PUT created the endpoint: %d", resp.StatusCode)
			}
		})
	}
	// JSON with parameters and +json types are JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "application/merge-patch+json"} {
		if resp, data := e.do(http.MethodPut, path, endpoint("ok"), map[string]string{"Content-Type": ct}); resp.StatusCode/100 != 2 {
			t.Errorf("Content-Type %s: %d %s, want success", ct, resp.StatusCode, data)
		}
	}
}
