package localtest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// registerData creates version of data asset name pointing at a folder.
func (e *env) registerData(name, version, path string) {
	e.t.Helper()
	_, err := e.arm.NewDataVersionsClient().CreateOrUpdate(context.Background(), e.client.T.ResourceGroup, e.client.T.Workspace, name, version,
		armmachinelearning.DataVersionBase{Properties: &armmachinelearning.URIFolderDataVersion{
			DataType:    to.Ptr(armmachinelearning.DataTypeURIFolder),
			DataURI:     to.Ptr(path),
			Description: to.Ptr("unlabeled heart data"),
			Tags:        map[string]*string{"source": to.Ptr("uci")},
		}}, nil)
	if err != nil {
		e.t.Fatalf("create data %s:%s: %v", name, version, err)
	}
}

func TestDataShowAndList(t *testing.T) {
	e := newEnv(t)
	e.upload(map[string]string{"data/v1/a.csv": "1\n", "data/v2/a.csv": "2\n"})
	e.registerData("heart", "1", "azureml://datastores/workspaceblobstore/paths/data/v1/")
	e.registerData("heart", "2", "azureml://datastores/workspaceblobstore/paths/data/v2/")

	t.Run("show by version has az's keys", func(t *testing.T) {
		r := e.run("data", "show", "-n", "heart", "--version", "1", "-o", "json")
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.stdout)
		}
		want := map[string]any{
			"name": "heart", "version": "1", "type": "uri_folder",
			"path":        "azureml://datastores/workspaceblobstore/paths/data/v1/",
			"description": "unlabeled heart data",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
		if id, _ := got["id"].(string); !strings.HasSuffix(id, "/data/heart/versions/1") || !strings.HasPrefix(id, "/subscriptions/") {
			t.Errorf("id = %q, want the version's ARM id", id)
		}
		if tags, _ := got["tags"].(map[string]any); tags["source"] != "uci" {
			t.Errorf("tags = %v", got["tags"])
		}
		if cc, _ := got["creation_context"].(map[string]any); cc["created_at"] == nil {
			t.Errorf("creation_context = %v, want created_at", got["creation_context"])
		}
	})

	t.Run("label latest is the newest version", func(t *testing.T) {
		if got := strings.TrimSpace(e.run("data", "show", "-n", "heart", "-l", "latest", "--query", "version", "-o", "tsv").stdout); got != "2" {
			t.Errorf("latest = %q, want 2", got)
		}
	})

	t.Run("the id is a valid invoke input", func(t *testing.T) {
		id := strings.TrimSpace(e.run("data", "show", "-n", "heart", "-v", "1", "--query", "id", "-o", "tsv").stdout)
		job := strings.TrimSpace(e.run("batch-endpoint", "invoke", "-n", endpointName, "--input", id, "--query", "name", "-o", "tsv").stdout)
		e.waitStatus(job, "Completed")
		if got := string(e.runner.outputs(job)["predictions.csv"]); got != "a.csv,1\n" {
			t.Errorf("the job scored %q, want the one file of data/v1", got)
		}
	})

	t.Run("list", func(t *testing.T) {
		if got := strings.TrimSpace(e.run("data", "list", "--query", "[].[name, latest_version]", "-o", "tsv").stdout); got != "heart\t2" {
			t.Errorf("data list = %q, want heart\\t2", got)
		}
		if got := strings.Fields(e.run("data", "list", "-n", "heart", "--query", "sort([].version)", "-o", "tsv").stdout); strings.Join(got, ",") != "1,2" {
			t.Errorf("data list -n heart versions = %v, want [1 2]", got)
		}
	})

	errs := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"neither version nor label", []string{"data", "show", "-n", "heart"}, 2, "Must provide either version or label"},
		{"both version and label", []string{"data", "show", "-n", "heart", "-v", "1", "-l", "latest"}, 2, "--version and --label"},
		{"unknown label", []string{"data", "show", "-n", "heart", "-l", "prod"}, 2, "--label prod"},
		{"missing version", []string{"data", "show", "-n", "heart", "-v", "9"}, 3, "heart"},
		{"missing asset", []string{"data", "show", "-n", "nope", "-l", "latest"}, 3, "nope"},
		{"versions of a missing asset", []string{"data", "list", "-n", "nope"}, 3, "nope"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			r := e.ml(nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("want exit %d mentioning %q, got %s", tt.code, tt.msg, r)
			}
		})
	}
}

func TestDatastoreShowAndList(t *testing.T) {
	e := newEnv(t)
	info := e.client.T
	r := e.run("datastore", "show", "-n", "workspaceblobstore", "-o", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	for k, want := range map[string]any{"name": "workspaceblobstore", "type": "azure_blob", "protocol": "http"} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	for _, k := range []string{"account_name", "container_name", "endpoint", "id"} {
		if s, _ := got[k].(string); s == "" {
			t.Errorf("%s missing: %v", k, got)
		}
	}
	if cred, _ := got["credentials"].(map[string]any); len(cred) != 1 || cred["type"] != "account_key" {
		t.Errorf("credentials = %v, want only {type: account_key}", got["credentials"])
	}

	// The account key from listSecrets must not appear anywhere.
	sec, err := e.arm.NewDatastoresClient().ListSecrets(context.Background(), info.ResourceGroup, info.Workspace, "workspaceblobstore", nil)
	if err != nil {
		t.Fatalf("listSecrets: %v", err)
	}
	key := *sec.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets).Key
	list := e.run("datastore", "list", "-o", "json")
	for _, out := range []string{r.stdout, list.stdout} {
		if strings.Contains(out, key) {
			t.Fatalf("the account key appears in the output")
		}
	}
	if got := strings.TrimSpace(e.run("datastore", "list", "--query", "[].name", "-o", "tsv").stdout); got != "workspaceblobstore" {
		t.Errorf("datastore list names = %q", got)
	}
	if r := e.ml(nil, "datastore", "show", "-n", "nope"); r.code != 3 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("missing datastore: want exit 3, got %s", r)
	}
}
