package localws

import (
	"net/http"
	"strings"
	"testing"
)

// TestAuthEveryRoute sends each route without a token, with a wrong one and
// with another scheme: all get 401 in ARM format with WWW-Authenticate, and
// none has an effect.
func TestAuthEveryRoute(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[struct{ Name string }](t, data).Name
	api := "?api-version=2024-04-01"
	ws := wsPath()
	run := "/history/v1.0" + ws + "/runs/" + job
	routes := []struct{ method, path, body string }{
		{"GET", "/subscriptions/" + DefaultSubscription + "/resourceGroups/local/providers/Microsoft.MachineLearningServices/workspaces" + api, ""},
		{"GET", ws + api, ""},
		{"GET", ws + "/batchEndpoints" + api, ""},
		{"GET", ws + "/batchEndpoints/ep" + api, ""},
		{"PUT", ws + "/batchEndpoints/intruder" + api, `{"location":"local","properties":{"authMode":"AADToken"}}`},
		{"DELETE", ws + "/batchEndpoints/ep" + api, ""},
		{"GET", ws + "/batchEndpoints/ep/deployments" + api, ""},
		{"GET", ws + "/batchEndpoints/ep/deployments/blue" + api, ""},
		{"PUT", ws + "/batchEndpoints/ep/deployments/x" + api, `{"location":"local","properties":{}}`},
		{"DELETE", ws + "/batchEndpoints/ep/deployments/blue" + api, ""},
		{"GET", ws + "/codes" + api, ""},
		{"PUT", ws + "/codes/c2" + api, `{"properties":{}}`},
		{"GET", ws + "/codes/score-code/versions" + api, ""},
		{"PUT", ws + "/codes/score-code/versions/9" + api, `{"properties":{"codeUri":"x"}}`},
		{"GET", ws + "/models/heart-model/versions/1" + api, ""},
		{"GET", ws + "/environments" + api, ""},
		{"GET", ws + "/components" + api, ""},
		{"GET", ws + "/data" + api, ""},
		{"PUT", ws + "/data/d/versions/1" + api, `{"properties":{"dataType":"uri_folder","dataUri":"azureml://datastores/workspaceblobstore/paths/x/"}}`},
		{"GET", ws + "/datastores" + api, ""},
		{"GET", ws + "/datastores/workspaceblobstore" + api, ""},
		{"POST", ws + "/datastores/workspaceblobstore/listSecrets" + api, `{"expirableSecret":true}`},
		{"GET", ws + "/jobs" + api, ""},
		{"GET", ws + "/jobs/" + job + api, ""},
		{"POST", ws + "/jobs/" + job + "/cancel" + api, ""},
		{"GET", "/subscriptions/" + DefaultSubscription + "/providers/Microsoft.MachineLearningServices/locations/local/mfeOperationsStatus/x" + api, ""},
		{"GET", "/subscriptions/" + DefaultSubscription + "/providers/Microsoft.MachineLearningServices/locations/local/mfeOperationResults/x" + api, ""},
		{"POST", "/endpoints/ep/jobs", `{"properties":{"inputData":{"UriFolder":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/data/in/"}}}}`},
		{"GET", "/mferp/managementfrontend" + ws + "/batchEndpoints/ep/jobs?api-version=2020-09-01-dataplanepreview", ""},
		{"GET", "/mferp/managementfrontend" + ws + "/batchEndpoints/ep/deployments/blue/jobs/" + job, ""},
		{"GET", run + "/details", ""},
		{"GET", run + "/events", ""},
		{"GET", run + "/logs", ""},
		{"GET", run + "/logs/user/stdout/0/process000.stdout.txt", ""},
		{"GET", run + "/outputs", ""},
		{"GET", "/no/such/route", ""},
	}
	creds := []struct{ name, header string }{
		{"no token", ""},
		{"wrong token", "Bearer not-the-token"},
		{"token prefix", "Bearer " + e.token[:len(e.token)-1]},
		{"other scheme", "Basic " + e.token},
	}
	for _, rt := range routes {
		for _, c := range creds {
			t.Run(rt.method+" "+rt.path+" "+c.name, func(t *testing.T) {
				var body any
				if rt.body != "" {
					body = rt.body
				}
				resp, data := e.do(rt.method, rt.path, body, map[string]string{"Authorization": c.header})
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401: %s", resp.StatusCode, data)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
				if d := armErrorOf(t, data); d.Code != codeUnauthorized || d.Message == "" || strings.Contains(d.Message, e.token) {
					t.Errorf("error %+v", d)
				}
			})
		}
	}
	// Nothing the unauthorized requests asked for happened.
	for _, path := range []string{ws + "/batchEndpoints/intruder" + api, ws + "/batchEndpoints/ep/deployments/x" + api, ws + "/codes/c2" + api} {
		if resp, _ := e.do("GET", path, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s after unauthorized PUT: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := e.do("GET", ws+"/batchEndpoints/ep/deployments/blue"+api, nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("deployment deleted by an unauthorized DELETE: %d", resp.StatusCode)
	}
	if n := len(e.listDataPlaneJobs("ep")); n != 1 {
		t.Errorf("%d jobs after unauthorized invokes, want 1", n)
	}
	e.waitStatus(job, "Completed")

	// The discovery document is public, like Azure's; the blob service
	// answers unsigned requests itself (403, not the ARM 401).
	if resp, data := e.do("GET", "/discovery", nil, map[string]string{"Authorization": ""}); resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"api":"`+e.url+`"`) {
		t.Errorf("discovery: %d %s", resp.StatusCode, data)
	}
	if resp, _ := e.do("GET", "/blob/"+e.srv.account+"/"+e.container()+"/data/in/a.csv", nil, map[string]string{"Authorization": ""}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned blob GET: %d, want 403", resp.StatusCode)
	}
}
