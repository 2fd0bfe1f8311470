package localtest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// TestDatastoreCreateInvokeDelete: `ml datastore create -f` of a datastore
// YAML naming an Azurite container (endpoint 127.0.0.1:<port>, protocol
// http: the path-style account URL; the key from --set, as azureml-examples'
// scripts pass it), then a batch job whose --input is a path on it: the
// runner sees the Azurite files, so the job's predictions list them. The
// key appears in no output, --debug trace included. Outputs on the created
// datastore are refused naming it; delete removes it from the list, a
// show exits 3 and a second delete succeeds (as on Azure), and
// workspaceblobstore cannot be deleted.
func TestDatastoreCreateInvokeDelete(t *testing.T) {
	az := azurite.Start(t)
	e := newEnv(t)
	ctx := context.Background()
	cred, err := azblob.NewSharedKeyCredential(az.Account, az.Key)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := azblob.NewClientWithSharedKeyCredential(az.ServiceURL, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bc.CreateContainer(ctx, "external-data", nil); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"rows/from_azurite_1.csv": "1,2\n", "rows/from_azurite_2.csv": "3,4\n", "other/x.csv": "5\n"} {
		if _, err := bc.UploadBuffer(ctx, "external-data", name, []byte(content), nil); err != nil {
			t.Fatal(err)
		}
	}
	endpoint := strings.TrimSuffix(strings.TrimPrefix(az.ServiceURL, "http://"), "/"+az.Account)
	dir := t.TempDir()
	file := filepath.Join(dir, "azurite.yml")
	if err := os.WriteFile(file, []byte(`$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
name: placeholder
type: azure_blob
description: Azurite's development account.
account_name: `+az.Account+`
container_name: external-data
endpoint: `+endpoint+`
protocol: http
tags:
  emulator: azurite
`), 0o600); err != nil {
		t.Fatal(err)
	}

	r := e.run("datastore", "create", "-f", file, "--name", "azurite_data", "--set", "credentials.account_key="+az.Key, "--debug")
	var view map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &view); err != nil {
		t.Fatalf("create output is not JSON: %v\n%s", err, r.stdout)
	}
	for k, want := range map[string]any{"name": "azurite_data", "type": "azure_blob", "account_name": az.Account, "container_name": "external-data",
		"endpoint": endpoint, "protocol": "http", "description": "Azurite's development account."} {
		if view[k] != want {
			t.Errorf("created %s = %v, want %v", k, view[k], want)
		}
	}
	if cred, _ := view["credentials"].(map[string]any); len(cred) != 1 || cred["type"] != "account_key" {
		t.Errorf("credentials = %v, want only {type: account_key}", view["credentials"])
	}
	if tags, _ := view["tags"].(map[string]any); tags["emulator"] != "azurite" {
		t.Errorf("tags = %v", view["tags"])
	}
	if strings.Contains(r.stdout+r.stderr, az.Key) {
		t.Fatalf("the account key appears in create's output or --debug trace")
	}
	if !strings.Contains(r.stderr, "skipValidation=true") {
		t.Errorf("--debug trace does not show the PUT with skipValidation=true:\n%s", r.stderr)
	}
	if got := strings.TrimSpace(e.run("datastore", "show", "-n", "azurite_data", "--query", "container_name", "-o", "tsv").stdout); got != "external-data" {
		t.Errorf("show container_name = %q", got)
	}
	list := e.run("datastore", "list", "--query", "[].name", "-o", "tsv")
	if got := strings.Fields(list.stdout); strings.Join(got, " ") != "workspaceblobstore azurite_data" {
		t.Errorf("list = %v", got)
	}
	if strings.Contains(e.run("datastore", "list", "-o", "json").stdout, az.Key) {
		t.Fatalf("the account key appears in datastore list")
	}

	// A batch job reads its input from the created datastore.
	job := strings.TrimSpace(e.run("batch-endpoint", "invoke", "-n", endpointName, "--input", "azureml://datastores/azurite_data/paths/rows",
		"--input-type", "uri_folder", "--query", "name", "-o", "tsv").stdout)
	e.waitStatus(job, "Completed")
	preds := string(e.runner.outputs(job)["predictions.csv"])
	if preds != "from_azurite_1.csv,0\nfrom_azurite_2.csv,0\n" {
		t.Errorf("predictions.csv = %q, want a line per Azurite file of rows/", preds)
	}
	out := filepath.Join(t.TempDir(), "out")
	e.run("job", "download", "-n", job, "--download-path", out)
	if got, err := os.ReadFile(filepath.Join(out, "predictions.csv")); err != nil || string(got) != preds {
		t.Errorf("downloaded predictions.csv = %q, %v", got, err)
	}
	if got := strings.TrimSpace(e.run("job", "show", "-n", job, "--query", "inputs.UriFolder.path", "-o", "tsv").stdout); got != "azureml://datastores/azurite_data/paths/rows" {
		t.Errorf("job show inputs.UriFolder.path = %q, want the datastore URI", got)
	}

	// A data asset registered on the created datastore reads the same data.
	e.run("data", "create", "-n", "ext_rows", "--path", "azureml://datastores/azurite_data/paths/rows", "--type", "uri_folder")
	job = strings.TrimSpace(e.run("batch-endpoint", "invoke", "-n", endpointName, "--input", "azureml:ext_rows:1", "--query", "name", "-o", "tsv").stdout)
	e.waitStatus(job, "Completed")
	if got := string(e.runner.outputs(job)["predictions.csv"]); got != preds {
		t.Errorf("predictions.csv of the data asset's job = %q, want %q", got, preds)
	}

	// Outputs stay on workspaceblobstore; a missing path is refused early.
	r = e.ml(nil, "batch-endpoint", "invoke", "-n", endpointName, "--input", "azureml://datastores/azurite_data/paths/rows", "--input-type", "uri_folder",
		"--output-path", "azureml://datastores/azurite_data/paths/results")
	if r.code == 0 || !strings.Contains(r.stderr, "datastore 'azurite_data'") || !strings.Contains(r.stderr, "outputs, code and models must be on workspaceblobstore") {
		t.Errorf("output on the created datastore: want a refusal naming it, got %s", r)
	}
	r = e.ml(nil, "batch-endpoint", "invoke", "-n", endpointName, "--input", "azureml://datastores/azurite_data/paths/nothing-here", "--input-type", "uri_folder")
	if r.code == 0 || !strings.Contains(r.stderr, "does not exist on datastore azurite_data") {
		t.Errorf("missing input path: got %s", r)
	}

	// Unsupported types are refused before anything is sent.
	if err := os.WriteFile(filepath.Join(dir, "file.yml"), []byte("name: f\ntype: azure_file\naccount_name: a\nfile_share_name: s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.ml(nil, "datastore", "create", "-f", filepath.Join(dir, "file.yml")); r.code != 2 || !strings.Contains(r.stderr, "azure_file datastores are not supported yet") {
		t.Errorf("azure_file: want exit 2, got %s", r)
	}

	// Delete.
	if r := e.run("datastore", "delete", "-n", "azurite_data"); r.stdout != "" {
		t.Errorf("delete printed %q", r.stdout)
	}
	if got := strings.TrimSpace(e.run("datastore", "list", "--query", "[].name", "-o", "tsv").stdout); got != "workspaceblobstore" {
		t.Errorf("list after delete = %q", got)
	}
	if r := e.ml(nil, "datastore", "show", "-n", "azurite_data"); r.code != 3 || !strings.Contains(r.stderr, "Could not find datastore: azurite_data") {
		t.Errorf("ml datastore show after delete: want exit 3, got %s", r)
	}
	// Deleting what is gone succeeds, as on Azure (204) and with az.
	if r := e.ml(nil, "datastore", "delete", "-n", "azurite_data"); r.code != 0 || r.stdout != "" {
		t.Errorf("second ml datastore delete: want exit 0 and no output, got %s", r)
	}
	if r := e.ml(nil, "datastore", "delete", "-n", "workspaceblobstore"); r.code == 0 || !strings.Contains(r.stderr, "cannot be deleted") {
		t.Errorf("delete workspaceblobstore: want a refusal, got %s", r)
	}
	// A job submitted after the delete cannot name the datastore.
	r = e.ml(nil, "batch-endpoint", "invoke", "-n", endpointName, "--input", "azureml://datastores/azurite_data/paths/rows", "--input-type", "uri_folder")
	if r.code == 0 || !strings.Contains(r.stderr, "'azurite_data'") {
		t.Errorf("invoke after delete: got %s", r)
	}
}
