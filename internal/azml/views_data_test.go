package azml

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/spec"
)

// loadBody decodes the "body" of testdata/name into v.
func loadBody(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := json.Unmarshal(doc.Body, v); err != nil {
		t.Fatalf("%s: decode body: %v", name, err)
	}
}

// roundTrip marshals a view as the output layer would, so the comparison
// sees what the user sees.
func roundTrip(t *testing.T, v map[string]any) map[string]any {
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

func TestDatastoreView(t *testing.T) {
	tests := []struct {
		file string
		want map[string]any
	}{
		{"datastore_blob_recorded.json", map[string]any{
			"name":           "workspaceblobstore",
			"id":             "/subscriptions/00000000-0000-0000-0000-000000000/resourceGroups/00000/providers/Microsoft.MachineLearningServices/workspaces/00000/datastores/workspaceblobstore",
			"type":           "azure_blob",
			"account_name":   "sab6b272nokaeak",
			"container_name": "azureml-blobstore-061273aa-2956-4aff-8628-0fad8c820f9e",
			"endpoint":       "core.windows.net",
			"protocol":       "https",
			"credentials":    map[string]any{"type": "account_key"},
			"tags":           map[string]any{},
			"properties":     map[string]any{},
		}},
		{"datastore_sas_with_secret.json", map[string]any{
			"name":           "sasstore",
			"id":             "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/test-rg/providers/Microsoft.MachineLearningServices/workspaces/my-aml-workspace/datastores/sasstore",
			"type":           "azure_blob",
			"description":    "string",
			"account_name":   "string",
			"container_name": "string",
			"endpoint":       "core.windows.net",
			"protocol":       "https",
			"credentials":    map[string]any{"type": "sas"},
			"tags":           map[string]any{"string": "string"},
			"properties":     map[string]any{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var d armmachinelearning.Datastore
			loadBody(t, tt.file, &d)
			got := roundTrip(t, DatastoreView(&d))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("view:\n got %v\nwant %v", got, tt.want)
			}
			data, _ := json.Marshal(got)
			for _, secret := range []string{"SECRETSIGNATURE", "sig=", `"secrets"`, `"key"`, "sas_token"} {
				if strings.Contains(strings.ToLower(string(data)), strings.ToLower(secret)) {
					t.Errorf("the view carries %q: %s", secret, data)
				}
			}
		})
	}
	if got := DatastoreView(nil); len(got) != 0 {
		t.Errorf("DatastoreView(nil) = %v, want empty", got)
	}
}

func TestDataView(t *testing.T) {
	var d armmachinelearning.DataVersionBase
	loadBody(t, "dataversion_get.json", &d)
	want := map[string]any{
		"name":        "heart-unlabeled",
		"version":     "3",
		"id":          "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/test-rg/providers/Microsoft.MachineLearningServices/workspaces/my-aml-workspace/data/heart-unlabeled/versions/3",
		"type":        "uri_file",
		"path":        "azureml://datastores/workspaceblobstore/paths/heart/unlabeled/heart.csv",
		"description": "unlabeled",
		"tags":        map[string]any{"string": "string"},
		"properties":  map[string]any{"string": "string"},
		"creation_context": map[string]any{
			"created_at": "2020-01-01T12:34:56.999Z", "created_by": "string", "created_by_type": "User",
			"last_modified_at": "2020-01-01T12:34:56.999Z", "last_modified_by": "string", "last_modified_by_type": "User",
		},
	}
	if got := roundTrip(t, DataView(&d)); !reflect.DeepEqual(got, want) {
		t.Errorf("view:\n got %v\nwant %v", got, want)
	}
	if got := DataView(nil); len(got) != 0 {
		t.Errorf("DataView(nil) = %v, want empty", got)
	}
}

func TestDataContainerView(t *testing.T) {
	var d armmachinelearning.DataContainer
	loadBody(t, "datacontainer_get.json", &d)
	want := map[string]any{
		"name":           "datacontainer123",
		"latest_version": "3",
		"type":           "uri_file",
		"description":    "string",
		"tags":           map[string]any{"tag1": "value1", "tag2": "value2"},
		"properties":     map[string]any{"properties1": "value1", "properties2": "value2"},
		"creation_context": map[string]any{
			"created_at": "2020-12-01T12:00:00Z", "created_by": "John Smith", "created_by_type": "User",
			"last_modified_at": "2020-12-01T12:00:00Z", "last_modified_by": "John Smith", "last_modified_by_type": "User",
		},
	}
	if got := roundTrip(t, DataContainerView(&d)); !reflect.DeepEqual(got, want) {
		t.Errorf("view:\n got %v\nwant %v", got, want)
	}
}

func TestDataNameVersion(t *testing.T) {
	tests := []struct {
		id            string
		name, version string
		ok            bool
	}{
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/data/heart/versions/1", "heart", "1", true},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/data/data/data/versions/2", "data", "2", true},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/datastores/x", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		name, version, ok := assetNameVersion(tt.id, spec.KindData)
		if name != tt.name || version != tt.version || ok != tt.ok {
			t.Errorf("assetNameVersion(%q) = %q, %q, %v; want %q, %q, %v", tt.id, name, version, ok, tt.name, tt.version, tt.ok)
		}
	}
}
