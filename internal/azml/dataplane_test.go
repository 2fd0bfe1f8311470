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

// TestListChildJobsCallsRunHistory: `job list --parent-job-name` reads the
// parent from ARM (as the SDK does), then run history's children route
// with $top, and prints each child as the SDK's _BaseJob.
func TestListChildJobsCallsRunHistory(t *testing.T) {
	arm := newFakeARM("")
	arm.resources["/jobs/batchjob-1"] = map[string]any{"name": "batchjob-1", "properties": map[string]any{"jobType": "Pipeline", "status": "Completed"}}
	arm.dataPlane["/runs/batchjob-1/children"] = map[string]any{"value": []any{map[string]any{
		"runId": "5f1c7a1e-0000-4000-8000-000000000001", "parentRunId": "batchjob-1", "displayName": "batchscoring",
		"experimentId": "e6b1c0a2-0000-4000-8000-000000000002", "status": "Completed", "runType": "azureml.StepRun",
		"createdUtc": "2026-01-02T03:04:05.123Z", "createdBy": map[string]any{"userName": "Ada"}, "createdFrom": "User",
		"compute": map[string]any{"target": "batch-cluster"}, "tags": map[string]any{"k": "v"}, "properties": map[string]any{},
		"services": map[string]any{"Studio": map[string]any{"endpoint": "https://ml.azure.com/runs/5f1c?wsid=x", "type": "Studio"}},
	}}}
	c := newTestClient(t, arm, nil, false)
	got, err := c.ListChildJobs(context.Background(), "batchjob-1", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("children = %+v", got)
	}
	var dp []fakeRequest
	for _, r := range arm.requests {
		if r.Host == dataHost && r.Path != "/discovery" {
			dp = append(dp, r)
		}
	}
	if want := "/history/v1.0" + fakeWS + "/runs/batchjob-1/children"; len(dp) != 1 || dp[0].Path != want || dp[0].Query != "%24top=50" {
		t.Errorf("data-plane requests = %+v, want GET %s?$top=50", dp, want)
	}
	want := `{"compute":"batch-cluster","creation_context":{"created_at":"2026-01-02T03:04:05.123Z","created_by":"Ada","created_by_type":"User"},` +
		`"display_name":"batchscoring","experiment_name":"e6b1c0a2-0000-4000-8000-000000000002",` +
		`"id":"` + fakeWS + `/jobs/5f1c7a1e-0000-4000-8000-000000000001","name":"5f1c7a1e-0000-4000-8000-000000000001",` +
		`"properties":{},"services":{"Studio":{"endpoint":"https://ml.azure.com/runs/5f1c?wsid=x","type":"Studio"}},"status":"Completed","tags":{"k":"v"}}`
	if v := mustJSON(t, c.ChildJobView(got[0])); v != want {
		t.Errorf("view\n got %s\nwant %s", v, want)
	}
	if _, err := c.ListChildJobs(context.Background(), "nope", 0); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("children of a missing job: %v", err)
	}
}
