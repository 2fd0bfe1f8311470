package localws

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// recordedPutBody is the body azure-ai-ml PUT in its recording
// (test_datastore.py test_blob_store), with the recording's fake key.
const recordedPutBody = `{"properties": {"tags": {}, "credentials": {"credentialsType": "AccountKey",
 "secrets": {"secretsType": "AccountKey", "key": "dGhpcyBpcyBmYWtlIGtleQ=="}},
 "datastoreType": "AzureBlob", "accountName": "teststorageaccount", "containerName": "testblob",
 "endpoint": "core.windows.net", "protocol": "https"}}`

// TestCreatedDatastores: PUT answers 201 then 200 with the datastore as
// Azure answers it (no secret), GET and list show it, listSecrets returns
// its secret, DELETE removes it (200, then 404 "Could not find
// datastore"); workspaceblobstore cannot be overwritten or deleted, and
// bodies the local workspace cannot use are 400s that say why.
func TestCreatedDatastores(t *testing.T) {
	e := newEnv(t)
	const key = "dGhpcyBpcyBmYWtlIGtleQ=="
	path := wsPath() + "/datastores/test_587359455061?api-version=2024-04-01&skipValidation=true"
	for _, want := range []int{http.StatusCreated, http.StatusOK} {
		resp, data := e.do(http.MethodPut, path, recordedPutBody, nil)
		if resp.StatusCode != want {
			t.Fatalf("PUT: %d %s, want %d", resp.StatusCode, data, want)
		}
		if strings.Contains(string(data), key) || strings.Contains(string(data), "secrets") {
			t.Errorf("PUT answer shows the secret: %s", data)
		}
		d := decode[armmachinelearning.Datastore](t, data)
		blob := d.Properties.(*armmachinelearning.AzureBlobDatastore)
		if *d.Name != "test_587359455061" || *d.ID != wsPath()+"/datastores/test_587359455061" || *blob.IsDefault ||
			*blob.AccountName != "teststorageaccount" || *blob.Credentials.GetDatastoreCredentials().CredentialsType != armmachinelearning.CredentialsTypeAccountKey ||
			*blob.ServiceDataAccessAuthIdentity != armmachinelearning.ServiceDataAccessAuthIdentityNone || d.SystemData == nil {
			t.Errorf("PUT answer %s", data)
		}
	}
	ctx := context.Background()
	ds := e.factory().NewDatastoresClient()
	got, err := ds.Get(ctx, rg, ws, "test_587359455061", nil)
	if err != nil || *got.Properties.(*armmachinelearning.AzureBlobDatastore).ContainerName != "testblob" {
		t.Fatalf("GET: %+v, %v", got, err)
	}
	sec, err := ds.ListSecrets(ctx, rg, ws, "test_587359455061", nil)
	if err != nil || *sec.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets).Key != key {
		t.Errorf("listSecrets: %v", err)
	}

	// A SAS datastore and an identity-based one.
	if _, err := ds.CreateOrUpdate(ctx, rg, ws, "sas_store", armmachinelearning.Datastore{Properties: &armmachinelearning.AzureBlobDatastore{
		DatastoreType: to.Ptr(armmachinelearning.DatastoreTypeAzureBlob), AccountName: to.Ptr("a"), ContainerName: to.Ptr("c"),
		Credentials: &armmachinelearning.SasDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeSas),
			Secrets: &armmachinelearning.SasDatastoreSecrets{SecretsType: to.Ptr(armmachinelearning.SecretsTypeSas), SasToken: to.Ptr("sv=1&sig=x")}},
	}}, nil); err != nil {
		t.Fatal(err)
	}
	if sec, err := ds.ListSecrets(ctx, rg, ws, "sas_store", nil); err != nil || *sec.DatastoreSecretsClassification.(*armmachinelearning.SasDatastoreSecrets).SasToken != "sv=1&sig=x" {
		t.Errorf("listSecrets of the SAS datastore: %v", err)
	}
	if _, err := ds.CreateOrUpdate(ctx, rg, ws, "identity_store", armmachinelearning.Datastore{Properties: &armmachinelearning.AzureBlobDatastore{
		DatastoreType: to.Ptr(armmachinelearning.DatastoreTypeAzureBlob), AccountName: to.Ptr("a"), ContainerName: to.Ptr("c"),
		Credentials: &armmachinelearning.NoneDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeNone)},
	}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.ListSecrets(ctx, rg, ws, "identity_store", nil); !isStatus(err, http.StatusBadRequest) {
		t.Errorf("listSecrets of an identity-based datastore: %v, want 400", err)
	}

	list := func(opts *armmachinelearning.DatastoresClientListOptions) []string {
		var names []string
		pager := ds.NewListPager(rg, ws, opts)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Value {
				names = append(names, *d.Name)
			}
		}
		return names
	}
	if got := strings.Join(list(nil), " "); got != "workspaceblobstore test_587359455061 sas_store identity_store" {
		t.Errorf("list = %s", got)
	}
	if got := strings.Join(list(&armmachinelearning.DatastoresClientListOptions{IsDefault: to.Ptr(false)}), " "); got != "test_587359455061 sas_store identity_store" {
		t.Errorf("list isDefault=false = %s", got)
	}
	if got := strings.Join(list(&armmachinelearning.DatastoresClientListOptions{Names: []string{"SAS_store"}}), " "); got != "sas_store" {
		t.Errorf("list names=SAS_store = %s", got)
	}
	_, data := e.do(http.MethodGet, wsPath()+"/datastores?api-version=2024-04-01", nil, nil)
	if strings.Contains(string(data), key) || strings.Contains(string(data), "sig=x") {
		t.Errorf("the list shows a secret: %s", data)
	}

	// workspaceblobstore stays the workspace's own.
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		resp, data := e.do(method, wsPath()+"/datastores/workspaceblobstore?api-version=2024-04-01", recordedPutBody, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(armErrorOf(t, data).Message, "workspaceblobstore is the local workspace's own storage") {
			t.Errorf("%s workspaceblobstore: %d %s, want 400", method, resp.StatusCode, data)
		}
	}

	// Bodies the local workspace cannot use.
	for _, tt := range []struct{ body, want string }{
		{`{"properties": {"datastoreType": "AzureFile", "accountName": "a", "fileShareName": "s", "credentials": {"credentialsType": "None"}}}`, "datastoreType AzureFile is not supported"},
		{`{"properties": {"datastoreType": "AzureBlob", "containerName": "c", "credentials": {"credentialsType": "None"}}}`, "accountName and properties.containerName are required"},
		{`{"properties": {"datastoreType": "AzureBlob", "accountName": "a", "containerName": "c"}}`, "properties.credentials is required"},
		{`{"properties": {"datastoreType": "AzureBlob", "accountName": "a", "containerName": "c", "credentials": {"credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": "not base64!"}}}}`, "the account key is not base64"},
		{`{"properties": {"datastoreType": "AzureBlob", "accountName": "a", "containerName": "c", "credentials": {"credentialsType": "AccountKey"}}}`, "need secrets.key"},
		{`{"properties": {"datastoreType": "AzureBlob", "accountName": "a", "containerName": "c", "credentials": {"credentialsType": "ServicePrincipal", "clientId": "x", "tenantId": "y"}}}`, "ServicePrincipal are not supported"},
	} {
		resp, data := e.do(http.MethodPut, wsPath()+"/datastores/bad?api-version=2024-04-01", tt.body, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(armErrorOf(t, data).Message, tt.want) {
			t.Errorf("PUT %s: %d %s, want 400 %q", tt.body, resp.StatusCode, data, tt.want)
		}
	}

	// Delete: 200 without a body, then gone: GET is Azure's 404, and a
	// second DELETE Azure's 204, as the recording shows.
	resp, data := e.do(http.MethodDelete, wsPath()+"/datastores/test_587359455061?api-version=2024-04-01", nil, nil)
	if resp.StatusCode != http.StatusOK || len(data) != 0 {
		t.Errorf("DELETE: %d %q, want 200 with no body", resp.StatusCode, data)
	}
	resp, data = e.do(http.MethodGet, wsPath()+"/datastores/test_587359455061?api-version=2024-04-01", nil, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(armErrorOf(t, data).Message, "Could not find datastore: test_587359455061.") {
		t.Errorf("GET after delete: %d %s, want 404", resp.StatusCode, data)
	}
	resp, data = e.do(http.MethodDelete, wsPath()+"/datastores/test_587359455061?api-version=2024-04-01", nil, nil)
	if resp.StatusCode != http.StatusNoContent || len(data) != 0 {
		t.Errorf("second DELETE: %d %q, want 204", resp.StatusCode, data)
	}
	if got := strings.Join(list(nil), " "); got != "workspaceblobstore sas_store identity_store" {
		t.Errorf("list after delete = %s", got)
	}

	// The secrets are in state.db only, which only the server's user reads.
	if fi, err := os.Stat(filepath.Join(e.dir, stateDBFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state.db: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
}

// TestBatchInputOnCreatedDatastore: a batch job reads an input on a
// datastore created for an Azurite container (endpoint 127.0.0.1:<port>,
// protocol http: the path-style account URL): the job gets a downloaded
// copy in its folder. A missing path, a datastore that does not exist and
// an output on the created datastore are refused at submission, naming the
// datastore.
func TestBatchInputOnCreatedDatastore(t *testing.T) {
	e := newEnv(t)
	d := e.setupModelDeployment()
	e.azuriteDatastore("azurite_data", map[string]string{"sets/rows/a.csv": "7,8\n", "sets/rows/sub/b.csv": "9,10\n"})

	resp, data := e.invoke(d.endpoint, folderBody("azureml://datastores/azurite_data/paths/sets/rows/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[struct{ Name string }](t, data).Name
	e.waitStatus(job, "Completed")
	spec, ok := e.runner.spec(job)
	if !ok || len(spec.Inputs) != 1 {
		t.Fatalf("run spec %+v", spec)
	}
	if !strings.HasPrefix(spec.Inputs[0], filepath.Join(e.srv.jobDir(job), "datastore")) {
		t.Errorf("input %s is not a copy in the job's folder", spec.Inputs[0])
	}
	for name, want := range map[string]string{"a.csv": "7,8\n", "sub/b.csv": "9,10\n"} {
		if got, err := os.ReadFile(filepath.Join(spec.Inputs[0], filepath.FromSlash(name))); err != nil || string(got) != want {
			t.Errorf("downloaded %s = %q, %v; want %q", name, got, err, want)
		}
	}

	for _, tt := range []struct {
		body any
		want string
	}{
		{folderBody("azureml://datastores/azurite_data/paths/sets/none/"), "does not exist on datastore azurite_data"},
		{folderBody("azureml://datastores/nostore/paths/sets/rows/"), "The datastore 'nostore' in azureml://datastores/nostore/paths/sets/rows/ does not exist in the local workspace"},
		{map[string]any{"properties": map[string]any{
			"inputData":  map[string]any{"UriFolder": map[string]any{"jobInputType": "UriFolder", "uri": "azureml://datastores/azurite_data/paths/sets/rows/"}},
			"outputData": map[string]any{"output_name": map[string]any{"jobOutputType": "UriFile", "uri": "azureml://datastores/azurite_data/paths/out/"}},
		}}, "is on datastore 'azurite_data', created with ml datastore create: the local workspace reads job inputs from it, but outputs, code and models must be on workspaceblobstore"},
	} {
		resp, data := e.invoke(d.endpoint, tt.body, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(armErrorOf(t, data).Message, tt.want) {
			t.Errorf("invoke %v: %d %s, want 400 %q", tt.body, resp.StatusCode, data, tt.want)
		}
	}
}

// TestCreatedDatastoreSurvivesRestart: a created datastore and its secret
// are in state.db, so a restarted server still has both.
func TestCreatedDatastoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	a := newEnvIn(t, dir)
	path := wsPath() + "/datastores/kept?api-version=2024-04-01&skipValidation=true"
	if resp, data := a.do(http.MethodPut, path, recordedPutBody, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: %d %s", resp.StatusCode, data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b := newEnvIn(t, dir)
	sec, err := b.factory().NewDatastoresClient().ListSecrets(context.Background(), rg, ws, "kept", nil)
	if err != nil || *sec.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets).Key != "dGhpcyBpcyBmYWtlIGtleQ==" {
		t.Errorf("listSecrets after restart: %v", err)
	}
}

// azuriteDatastore starts Azurite, puts files (blob name → content) in a
// new container there and creates datastore name for it: endpoint
// 127.0.0.1:<port>, protocol http (the path-style account URL), the
// account key as its secret.
func (e *testEnv) azuriteDatastore(name string, files map[string]string) {
	e.t.Helper()
	az := azurite.Start(e.t)
	ctx := context.Background()
	cred, err := azblob.NewSharedKeyCredential(az.Account, az.Key)
	if err != nil {
		e.t.Fatal(err)
	}
	bc, err := azblob.NewClientWithSharedKeyCredential(az.ServiceURL, cred, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := bc.CreateContainer(ctx, "external", nil); err != nil {
		e.t.Fatal(err)
	}
	for blob, content := range files {
		if _, err := bc.UploadBuffer(ctx, "external", blob, []byte(content), nil); err != nil {
			e.t.Fatal(err)
		}
	}
	endpoint := strings.TrimSuffix(strings.TrimPrefix(az.ServiceURL, "http://"), "/"+az.Account)
	if _, err := e.factory().NewDatastoresClient().CreateOrUpdate(ctx, rg, ws, name, armmachinelearning.Datastore{Properties: &armmachinelearning.AzureBlobDatastore{
		DatastoreType: to.Ptr(armmachinelearning.DatastoreTypeAzureBlob), AccountName: to.Ptr(az.Account), ContainerName: to.Ptr("external"),
		Endpoint: to.Ptr(endpoint), Protocol: to.Ptr("http"),
		Credentials: &armmachinelearning.AccountKeyDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeAccountKey),
			Secrets: &armmachinelearning.AccountKeyDatastoreSecrets{SecretsType: to.Ptr(armmachinelearning.SecretsTypeAccountKey), Key: to.Ptr(az.Key)}},
	}}, nil); err != nil {
		e.t.Fatal(err)
	}
}

// TestPipelineJobInputOnCreatedDatastore: a pipeline job's input on a
// created datastore is downloaded for its step, whose child job names the
// datastore URI; a missing path is refused before the job exists.
func TestPipelineJobInputOnCreatedDatastore(t *testing.T) {
	e := newEnv(t)
	e.azuriteDatastore("azurite_nums", map[string]string{"nums/a.csv": "2\n", "nums/b.csv": "4\n"})
	ids := e.setupTwoStep()
	body := func(uri string) map[string]any {
		return map[string]any{"properties": map[string]any{
			"jobType": "Pipeline", "experimentName": "exp",
			"inputs": map[string]any{
				"numbers": map[string]any{"jobInputType": "uri_folder", "uri": uri, "mode": "ReadOnlyMount"},
				"factor":  map[string]any{"jobInputType": "literal", "value": "0.5"},
			},
			"outputs": map[string]any{"final": map[string]any{"jobOutputType": "uri_folder", "mode": "Upload"}},
			"jobs": map[string]any{
				"p": map[string]any{"type": "command", "componentId": ids.prep,
					"inputs": map[string]any{"data": lit("${{parent.inputs.numbers}}"), "scale": lit("${{parent.inputs.factor}}")}},
				"s": map[string]any{"type": "command", "componentId": ids.score,
					"inputs":  map[string]any{"prepared": lit("${{parent.jobs.p.outputs.prepared}}"), "label": lit("half")},
					"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.final}}"}}},
			},
		}}
	}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/pjx?api-version=2024-04-01", body("azureml://datastores/azurite_nums/paths/nums/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	e.waitStatus("pjx", "Completed")
	if got := e.readBlob("azureml/pjx/final/scores.csv"); got != "half,1\nhalf,2\n" {
		t.Fatalf("scores.csv = %q, want the Azurite numbers scaled", got)
	}
	res, err := e.factory().NewJobsClient().Get(context.Background(), rg, ws, "pjx-p", nil)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := res.Properties.(*armmachinelearning.CommandJob).Inputs["data"].(*armmachinelearning.URIFolderJobInput)
	if in == nil || *in.URI != "azureml://datastores/azurite_nums/paths/nums/" {
		t.Errorf("step input = %q, want the created datastore's URI", *in.URI)
	}

	resp, data = e.do(http.MethodPut, wsPath()+"/jobs/pjy?api-version=2024-04-01", body("azureml://datastores/azurite_nums/paths/none/"), nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(armErrorOf(t, data).Message, "does not exist on datastore azurite_nums") {
		t.Fatalf("PUT with a missing input: %d %s", resp.StatusCode, data)
	}
}
