package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/spec"
)

// specRequest reads the request body of a REST spec example in
// testdata/spec-2025-12-01 ("body" for assets, "parameters" for computes).
func specRequest(t *testing.T, file, key string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "spec-2025-12-01", file))
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(ex.Parameters[key], &body); err != nil {
		t.Fatalf("%s: parameters.%s: %v", file, key, err)
	}
	return body
}

// checkFieldsInSpec walks the body ml sent and checks, field by field, that
// the spec example's request has the same field with a value of the same
// JSON kind. A spec object whose only key is "string" is a free map (tags,
// properties): any key of the sent map is checked against that entry. It
// returns the sent fields' paths, sorted, for the caller to compare.
func checkFieldsInSpec(t *testing.T, sent, example map[string]any) []string {
	t.Helper()
	var paths []string
	var walk func(path string, got, want any)
	walk = func(path string, got, want any) {
		if kind(got) != kind(want) {
			t.Errorf("%s: sent %s (%v), the spec example has %s (%v)", path, kind(got), got, kind(want), want)
			return
		}
		g, ok := got.(map[string]any)
		if !ok {
			paths = append(paths, path)
			return
		}
		w := want.(map[string]any)
		_, free := w["string"]
		free = free && len(w) == 1
		for k, v := range g {
			sub := path + "." + k
			if free {
				walk(strings.TrimPrefix(path+".*", "."), v, w["string"])
				continue
			}
			wv, ok := w[k]
			if !ok {
				t.Errorf("%s: sent, but not in the spec example's request (its keys: %s)", strings.TrimPrefix(sub, "."), strings.Join(keys(w), ", "))
				continue
			}
			walk(strings.TrimPrefix(sub, "."), v, wv)
		}
	}
	walk("", sent, example)
	sort.Strings(paths)
	return dedupe(paths)
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestModelCreateBodyMatchesTheSpec: `ml model create` of a local folder
// PUTs a ModelVersion whose every field is one of the spec example's, with
// az's values (the long datastore URI of the LocalUpload path, the type as
// az writes it, isAnonymous false).
func TestModelCreateBodyMatchesTheSpec(t *testing.T) {
	w := newAssetWorld(t, false)
	m, err := spec.LoadModel("", []spec.Override{
		spec.Flag("--name", "name", "heart"), spec.Flag("--path", "path", filepath.Join(w.dir, "deploy", "model")),
		spec.Flag("--type", "type", "mlflow_model"), spec.Flag("--description", "description", "d"),
		spec.Flag("--tags", "tags.source", "uci"), spec.Flag("--set", "properties.k", "v"),
		spec.Flag("--set", "flavors.python_function.loader_module", "mlflow.sklearn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.c.Assets(UploadOptions{}).CreateModel(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != "1" || !r.Created {
		t.Errorf("registered %+v, want a new version 1", r)
	}
	puts := w.arm.seen(http.MethodPut, "/models/heart/versions/1")
	if len(puts) != 1 {
		t.Fatalf("PUTs = %+v, want one", puts)
	}
	sent := puts[0].Body
	got := checkFieldsInSpec(t, sent, specRequest(t, "ModelVersion_createOrUpdate.json", "body"))
	want := []string{"properties.description", "properties.flavors.*.data.*", "properties.isAnonymous", "properties.modelType",
		"properties.modelUri", "properties.properties.*", "properties.tags.*"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields sent:\n got %v\nwant %v", got, want)
	}
	props := sent["properties"].(map[string]any)
	uri, _ := props["modelUri"].(string)
	wantPrefix := "azureml://subscriptions/" + fakeSub + "/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/LocalUpload/"
	if !strings.HasPrefix(uri, wantPrefix) || !strings.HasSuffix(uri, "/model") || props["modelType"] != "mlflow_model" || props["isAnonymous"] != false {
		t.Errorf("properties = %v", props)
	}
	if !w.blobExists(t, strings.TrimPrefix(uri, strings.TrimSuffix(wantPrefix, "LocalUpload/"))+"/model.json") {
		t.Errorf("model files not uploaded to %s", uri)
	}
}
