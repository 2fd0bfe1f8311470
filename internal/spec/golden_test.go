package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fixtureBody reads the request body of a spec example (parameters.body).
func fixtureBody(t *testing.T, name string) map[string]any {
	t.Helper()
	var ex struct {
		Parameters struct {
			Body map[string]any `json:"body"`
		} `json:"parameters"`
	}
	readJSON(t, name, &ex)
	if ex.Parameters.Body == nil {
		t.Fatalf("%s has no parameters.body", name)
	}
	return ex.Parameters.Body
}

// recordedBody reads the request body of the recorded entry named name.
func recordedBody(t *testing.T, entry string) (map[string]any, string) {
	t.Helper()
	var rec struct {
		Entries []struct {
			Name    string `json:"name"`
			Request struct {
				URL  string         `json:"url"`
				Body map[string]any `json:"body"`
			} `json:"request"`
		} `json:"entries"`
	}
	readJSON(t, "arm_batch_endpoint_and_deployment_recorded.json", &rec)
	for _, e := range rec.Entries {
		if e.Name == entry {
			return e.Request.Body, e.Request.URL
		}
	}
	t.Fatalf("no recorded entry %q", entry)
	return nil, ""
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// asJSON round-trips v through JSON into plain maps, as it goes on the wire.
func asJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// diffJSON lists every path where got and want differ, field by field.
func diffJSON(path string, got, want any) []string {
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		var out []string
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			p := strings.TrimPrefix(path+"."+k, ".")
			gv, gin := gm[k]
			wv, win := wm[k]
			switch {
			case !gin:
				out = append(out, fmt.Sprintf("%s: missing, want %v", p, wv))
			case !win:
				out = append(out, fmt.Sprintf("%s: unexpected %v", p, gv))
			default:
				out = append(out, diffJSON(p, gv, wv)...)
			}
		}
		return out
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
	}
	return nil
}

func assertSameJSON(t *testing.T, got, want map[string]any) {
	t.Helper()
	if d := diffJSON("", got, want); len(d) > 0 {
		t.Errorf("body differs from the fixture:\n  %s", strings.Join(d, "\n  "))
	}
}

// without returns body minus the given top-level keys: the fixture fields
// no az YAML key can express.
func without(body map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func yamlPath(name string) string { return filepath.Join("testdata", "fixture_yaml", name) }

// TestEndpointMatchesSpecFixture: the YAML equivalent of the 2025-12-01
// BatchEndpoint createOrUpdate example converts to exactly its body (kind
// and sku have no key in az's schema).
func TestEndpointMatchesSpecFixture(t *testing.T) {
	e, err := LoadEndpoint(context.Background(), yamlPath("spec_endpoint.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := without(fixtureBody(t, "BatchEndpoint_createOrUpdate.json"), "kind", "sku")
	assertSameJSON(t, asJSON(t, e.ARM("string")), want)
}

// TestDeploymentMatchesSpecFixture: both deployment schemas (type: model
// with settings:, and no type with top-level settings) convert to the
// 2025-12-01 BatchDeployment createOrUpdate example, field by field.
func TestDeploymentMatchesSpecFixture(t *testing.T) {
	want := without(fixtureBody(t, "BatchDeployment_createOrUpdate.json"), "identity", "kind", "sku")
	ids := Resolved{ModelID: "string", CodeID: "string", EnvironmentID: "string", ComputeID: "string"}
	for _, file := range []string{"spec_deployment_model.yml", "spec_deployment_toplevel.yml"} {
		t.Run(file, func(t *testing.T) {
			d, err := LoadDeployment(context.Background(), yamlPath(file), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertSameJSON(t, asJSON(t, d.ARM("string", ids)), want)
			if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "summary_only") {
				t.Errorf("notes = %q, want one about output_file_name with summary_only", d.Notes)
			}
		})
	}
}

// TestRecordedEndpointBody: the recorded az PUT of an endpoint, from its
// YAML. azure-ai-ml 1.6 sent authMode as "aadToken"; the 2025-12-01 enum
// (and the service's echo) spell it "AADToken", which ml sends.
func TestRecordedEndpointBody(t *testing.T) {
	want, _ := recordedBody(t, "batch endpoint create (PUT)")
	props := want["properties"].(map[string]any)
	if props["authMode"] != "aadToken" {
		t.Fatalf("fixture authMode = %v; the normalization below no longer applies", props["authMode"])
	}
	props["authMode"] = "AADToken"
	e, err := LoadEndpoint(context.Background(), yamlPath("recorded_endpoint.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, asJSON(t, e.ARM("centraluseuap")), want)
}

// TestRecordedDeploymentBody: the recorded az PUT of a model deployment
// from its YAML, with the compute id built from azureml:cpu-cluster. The
// old SDK sent loggingLevel "info"; ml sends the enum spelling "Info".
func TestRecordedDeploymentBody(t *testing.T) {
	want, url := recordedBody(t, "model batch deployment create (PUT)")
	props := want["properties"].(map[string]any)
	if props["loggingLevel"] != "info" {
		t.Fatalf("fixture loggingLevel = %v; the normalization below no longer applies", props["loggingLevel"])
	}
	props["loggingLevel"] = "Info"
	ws := url[len("https://management.azure.com"):strings.Index(url, "/batchEndpoints/")]

	d, err := LoadDeployment(context.Background(), yamlPath("recorded_deployment.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := Resolved{
		ModelID:       props["model"].(map[string]any)["assetId"].(string),
		CodeID:        props["codeConfiguration"].(map[string]any)["codeId"].(string),
		EnvironmentID: props["environmentId"].(string),
		ComputeID:     ComputeID(ws, d.Compute),
	}
	assertSameJSON(t, asJSON(t, d.ARM("centraluseuap", ids)), want)
}
