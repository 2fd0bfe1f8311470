package azml

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestListBatchJobsOfADeploymentCallsAzsRoute: a deployment's jobs come
// from …/batchEndpoints/{e}/deployments/{d}/jobs on the data plane with
// api-version 2020-09-01-dataplanepreview (the route recorded az traffic
// shows), and nothing asks ARM for the deployment first.
func TestListBatchJobsOfADeploymentCallsAzsRoute(t *testing.T) {
	arm := newFakeARM("")
	arm.dataPlane["/batchEndpoints/heart/deployments/blue/jobs"] = map[string]any{"value": []any{
		map[string]any{"name": "job-1", "properties": map[string]any{"status": "Completed"}},
	}}
	arm.dataPlane["/batchEndpoints/heart/jobs"] = map[string]any{"value": []any{
		map[string]any{"name": "job-1"}, map[string]any{"name": "job-2"},
	}}
	c := newTestClient(t, arm, nil, false)
	jobs, err := c.ListBatchJobs(context.Background(), "heart", "blue")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Name != "job-1" {
		t.Fatalf("jobs = %+v, want job-1", jobs)
	}
	var dp []fakeRequest
	for _, r := range arm.requests {
		if r.Host == dataHost && r.Path != "/discovery" {
			dp = append(dp, r)
		}
		if r.Host == armHost && strings.Contains(strings.ToLower(r.Path), "/deployments") {
			t.Errorf("ARM request before the list: %s %s", r.Method, r.Path)
		}
	}
	want := "/mferp/managementfrontend" + fakeWS + "/batchEndpoints/heart/deployments/blue/jobs"
	if len(dp) != 1 || dp[0].Method != http.MethodGet || dp[0].Path != want || dp[0].Query != "api-version=2020-09-01-dataplanepreview" {
		t.Errorf("data-plane requests = %+v, want one GET %s?api-version=2020-09-01-dataplanepreview", dp, want)
	}

	all, err := c.ListBatchJobs(context.Background(), "heart", "")
	if err != nil || len(all) != 2 {
		t.Fatalf("endpoint jobs = %+v, %v; want 2", all, err)
	}
}
