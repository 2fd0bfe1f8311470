package localws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// TestDatastoreAndUpload: the workspaceblobstore datastore, its secrets,
// and an azblob upload read back through the blob API and on disk.
func TestDatastoreAndUpload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ds := e.factory().NewDatastoresClient()
	got, err := ds.Get(ctx, rg, ws, defaultDatastore, nil)
	if err != nil {
		t.Fatal(err)
	}
	blob, ok := got.Properties.(*armmachinelearning.AzureBlobDatastore)
	if !ok {
		t.Fatalf("properties %T, want *AzureBlobDatastore", got.Properties)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"datastoreType", *blob.DatastoreType, armmachinelearning.DatastoreTypeAzureBlob},
		{"isDefault", *blob.IsDefault, true},
		{"accountName", *blob.AccountName, DefaultStorageAccount},
		{"containerName", *blob.ContainerName, e.container()},
		{"protocol", *blob.Protocol, "http"},
		{"endpoint", *blob.Endpoint, e.url[len("http://"):] + "/blob"},
		{"credentialsType", *blob.Credentials.GetDatastoreCredentials().CredentialsType, armmachinelearning.CredentialsTypeAccountKey},
		{"ml.local.accountUrl", *blob.Properties["ml.local.accountUrl"], e.url + "/blob/" + DefaultStorageAccount},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	for _, tc := range []struct {
		isDefault *bool
		want      int
	}{{nil, 1}, {to.Ptr(true), 1}, {to.Ptr(false), 0}} {
		n := 0
		pager := ds.NewListPager(rg, ws, &armmachinelearning.DatastoresClientListOptions{IsDefault: tc.isDefault})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Value)
		}
		if n != tc.want {
			t.Errorf("list isDefault=%v: %d datastores, want %d", tc.isDefault, n, tc.want)
		}
	}
	if _, err := ds.Get(ctx, rg, ws, "other", nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("get other datastore: %v, want 404", err)
	}

	// listSecrets without a body (the SDK) and with the newer SDKs' body.
	sec, err := ds.ListSecrets(ctx, rg, ws, defaultDatastore, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := *sec.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets).Key
	if key != encodeKey(e.srv.accountKey) {
		t.Errorf("listSecrets key is not the account key")
	}
	secretsPath := wsPath() + "/datastores/workspaceblobstore/listSecrets?api-version=2024-07-01-preview"
	resp, data := e.do(http.MethodPost, secretsPath, `{"expirableSecret": true}`, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("listSecrets with expirableSecret: %d %s", resp.StatusCode, data)
	}
	if m := decode[map[string]string](t, data); m["secretsType"] != "AccountKey" || m["key"] != key {
		t.Errorf("listSecrets body %v", m)
	}
	if resp, _ := e.do(http.MethodPost, secretsPath, `[1,2]`, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("listSecrets with a bad body: %d, want 400", resp.StatusCode)
	}

	// Upload with azblob and read back.
	c := e.blobClient()
	content := bytes.Repeat([]byte("0123456789"), 100_000)
	if _, err := c.UploadBuffer(ctx, e.container(), "LocalUpload/abc/data/part-0.csv", content, &azblob.UploadBufferOptions{
		Metadata: map[string]*string{"upload_status": to.Ptr("completed")},
	}); err != nil {
		t.Fatalf("upload: %v", err)
	}
	dl, err := c.DownloadStream(ctx, e.container(), "LocalUpload/abc/data/part-0.csv", nil)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	back, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(back, content) {
		t.Errorf("read back %d bytes, want %d identical", len(back), len(content))
	}
	status := ""
	for k, v := range dl.Metadata {
		if strings.EqualFold(k, "upload_status") && v != nil {
			status = *v
		}
	}
	if status != "completed" {
		t.Errorf("metadata %v lacks upload_status=completed", dl.Metadata)
	}
	onDisk, err := os.ReadFile(filepath.Join(e.dir, "blob", DefaultStorageAccount, e.container(), "LocalUpload", "abc", "data", "part-0.csv"))
	if err != nil || !bytes.Equal(onDisk, content) {
		t.Errorf("the blob is not a plain file under Dir/blob: %v", err)
	}

	// A wrong key is refused by the blob service.
	bad, _ := azblob.NewSharedKeyCredential(DefaultStorageAccount, encodeKey([]byte("wrong key wrong key wrong key!!")))
	wrong, _ := azblob.NewClientWithSharedKeyCredential(e.url+"/blob/"+DefaultStorageAccount, bad, &azblob.ClientOptions{ClientOptions: e.clientOptions()})
	if _, err := wrong.DownloadStream(ctx, e.container(), "LocalUpload/abc/data/part-0.csv", nil); err == nil {
		t.Errorf("download with a wrong key succeeded")
	}
}
