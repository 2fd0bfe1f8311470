package spec

import (
	"context"
	"path/filepath"
	"testing"
)

// TestOverridesApplyLikeAzSet: dotted keys create the mappings they go
// through, replace values, index lists, and a later key wins.
func TestOverridesApplyLikeAzSet(t *testing.T) {
	files := map[string]string{"d.yml": goodDeployment}
	for k, v := range goodTree {
		files[k] = v
	}
	base := writeTree(t, files)
	o, err := ParseSet([]string{
		"settings.mini_batch_size=7",
		"settings.retry_settings.timeout=90",
		"settings.retry_settings.max_retries=2",
		"tags.team=heart",
		"settings.output_action=summary_only",
		"settings.output_action=append_row",
		"description=a=b",
	})
	if err != nil {
		t.Fatal(err)
	}
	o = append(o, Flag("--name", "name", "green"), Flag("--endpoint-name", "endpoint_name", "other-ep"))
	d, err := LoadDeployment(context.Background(), filepath.Join(base, "d.yml"), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Settings
	switch {
	case s.MiniBatchSize == nil || *s.MiniBatchSize != 7:
		t.Errorf("mini_batch_size = %v, want 7 (from a text override)", s.MiniBatchSize)
	case s.RetryTimeout == nil || *s.RetryTimeout != 90 || s.MaxRetries == nil || *s.MaxRetries != 2:
		t.Errorf("retry settings = %v/%v, want 2 retries, 90 s (mappings created)", s.MaxRetries, s.RetryTimeout)
	case d.Tags["team"] != "heart":
		t.Errorf("tags = %v", d.Tags)
	case s.OutputAction != OutputAppendRow:
		t.Errorf("output_action = %q, want the later override", s.OutputAction)
	case d.Description != "a=b":
		t.Errorf("description = %q: the value is split on the first '=' only", d.Description)
	case d.Name != "green" || d.EndpointName != "other-ep":
		t.Errorf("name/endpoint = %q/%q, want the flags", d.Name, d.EndpointName)
	}
	body := asJSON(t, d.ARM("westus", Resolved{}))
	if got := body["properties"].(map[string]any)["retrySettings"]; got.(map[string]any)["timeout"] != "PT1M30S" {
		t.Errorf("retrySettings = %v, want timeout PT1M30S", got)
	}
}

// TestOverrideIndexesLists: a numeric segment sets a list item.
func TestOverrideIndexesLists(t *testing.T) {
	dir := writeTree(t, map[string]string{"e.yml": "name: heart\nidentity:\n  type: user_assigned\n  user_assigned_identities:\n    - resource_id: /old\n"})
	o, _ := ParseSet([]string{"identity.user_assigned_identities.0.resource_id=/new"})
	e, err := LoadEndpoint(context.Background(), filepath.Join(dir, "e.yml"), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Identity.UserAssigned) != 1 || e.Identity.UserAssigned[0] != "/new" {
		t.Errorf("identities = %v", e.Identity.UserAssigned)
	}
	o, _ = ParseSet([]string{"identity.user_assigned_identities.3.resource_id=/x"})
	if _, err := LoadEndpoint(context.Background(), filepath.Join(dir, "e.yml"), nil, o); err == nil {
		t.Error("index 3 of a one-item list: want an error")
	}
}

// TestFlagsOnlyEndpoint: without --file the endpoint comes from flags;
// auth_mode defaults to aad_token and tags are sent as {}.
func TestFlagsOnlyEndpoint(t *testing.T) {
	e, err := LoadEndpoint(context.Background(), "", nil, []Override{Flag("--name", "name", "heart-ep")})
	if err != nil {
		t.Fatal(err)
	}
	body := asJSON(t, e.ARM("eastus"))
	want := map[string]any{"location": "eastus", "tags": map[string]any{}, "properties": map[string]any{"authMode": "AADToken"}}
	assertSameJSON(t, body, want)
	if _, err := LoadEndpoint(context.Background(), "", nil, nil); err == nil || err.Error() != `(command line): missing required key "name" in the batch endpoint; add name: <endpoint name> to the file or pass --name` {
		t.Errorf("no name and no file: %v", err)
	}
}

// TestEndpointFromDocAcceptsShowOutput: az's dump of an existing endpoint
// (what update edits without --file) decodes, read-only keys included.
func TestEndpointFromDocAcceptsShowOutput(t *testing.T) {
	doc := map[string]any{
		"name": "heart", "id": "/subscriptions/s/x", "location": "westus", "tags": map[string]any{},
		"description": "d", "scoring_uri": "https://x/jobs", "openapi_uri": nil, "auth_mode": "aad_token",
		"provisioning_state": "Succeeded", "properties": map[string]any{"azureml.onlineendpointid": "/x"},
		"defaults": map[string]any{},
	}
	o, _ := ParseSet([]string{"defaults.deployment_name=blue"})
	e, err := EndpointFromDoc("heart", doc, o)
	if err != nil {
		t.Fatal(err)
	}
	if e.DefaultDeployment != "blue" || e.Properties["azureml.onlineendpointid"] != "/x" {
		t.Errorf("endpoint = %+v", e)
	}
}
