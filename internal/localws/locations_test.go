package localws

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// TestOldStateOnNewPort: state written by earlier versions, whose asset
// versions hold absolute blob URLs of the server that stored them
// (http://127.0.0.1:<old port>/blob/…), still runs after a restart on
// another port: the start migrates them to datastore URIs, and invoke
// finds the code and the model.
func TestOldStateOnNewPort(t *testing.T) {
	dir := t.TempDir()
	a := newEnvIn(t, dir)
	setup := a.setupModelDeployment()
	ctx := context.Background()
	// Rewrite the stored versions as an earlier version stored them.
	const oldBase = "http://127.0.0.1:41695"
	oldBlob := oldBase + "/blob/" + a.srv.account + "/" + a.container()
	for _, v := range []struct{ kind, name, key, uri string }{
		{"codes/versions", "score-code", "codeUri", oldBlob + "/LocalUpload/code1/src"},
		{"models/versions", "heart-model", "modelUri", oldBlob + "/LocalUpload/model1/model"},
	} {
		rec, err := a.srv.store.GetResource(ctx, v.kind, v.name, "1")
		if err != nil {
			t.Fatal(err)
		}
		var doc assetDoc
		if err := json.Unmarshal(rec.Body, &doc); err != nil {
			t.Fatal(err)
		}
		doc.Properties[v.key] = v.uri
		rec.Body, _ = json.Marshal(doc)
		if err := a.srv.store.PutResource(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	a.stop()

	b := newEnvIn(t, dir)
	if b.url == oldBase {
		t.Fatal("the new server got the old port")
	}
	for _, v := range []struct{ kind, name, key string }{{"codes/versions", "score-code", "codeUri"}, {"models/versions", "heart-model", "modelUri"}} {
		rec, _ := b.srv.store.GetResource(ctx, v.kind, v.name, "1")
		if got := decode[assetDoc](t, rec.Body).Properties[v.key]; !strings.HasPrefix(got.(string), "azureml://datastores/workspaceblobstore/paths/LocalUpload/") {
			t.Errorf("%s %s after the start: %v, want a datastore URI", v.kind, v.key, got)
		}
	}
	resp, data := b.invoke(setup.endpoint, folderBody("azureml://datastores/workspaceblobstore/paths/"+setup.input), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke after a restart on a new port: %d %s", resp.StatusCode, data)
	}
	b.waitStatus(decode[mlapi.BatchJobResource](t, data).Name, "Completed")
}

// TestLocationsNotAddresses: a code version registered with the blob URL
// is stored as a datastore URI and answered as the blob URL of the address
// the client uses now, so a client comparing it with the URL it would
// register finds it equal after a restart on another port; a re-PUT with
// the new address is the same version, not a conflict.
func TestLocationsNotAddresses(t *testing.T) {
	dir := t.TempDir()
	a := newEnvIn(t, dir)
	ctx := context.Background()
	blobURL := func(e *testEnv, p string) string {
		return e.url + "/blob/" + e.srv.account + "/" + e.container() + "/" + p
	}
	put := func(e *testEnv, uri string) (armmachinelearning.CodeVersionsClientCreateOrUpdateResponse, error) {
		return e.factory().NewCodeVersionsClient().CreateOrUpdate(ctx, rg, ws, "c", "1", armmachinelearning.CodeVersion{
			Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr(uri)}}, nil)
	}
	envPut := func(e *testEnv, uri string) error {
		_, err := e.factory().NewEnvironmentVersionsClient().CreateOrUpdate(ctx, rg, ws, "env", "1", armmachinelearning.EnvironmentVersion{
			Properties: &armmachinelearning.EnvironmentVersionProperties{Build: &armmachinelearning.BuildContext{ContextURI: to.Ptr(uri)}}}, nil)
		return err
	}
	if got, err := put(a, blobURL(a, "LocalUpload/h/src")); err != nil || *got.Properties.CodeURI != blobURL(a, "LocalUpload/h/src") {
		t.Fatalf("create: %v %v", err, got.Properties)
	}
	if err := envPut(a, blobURL(a, "LocalUpload/e/ctx/")); err != nil {
		t.Fatal(err)
	}
	rec, _ := a.srv.store.GetResource(ctx, "codes/versions", "c", "1")
	if got := decode[assetDoc](t, rec.Body).Properties["codeUri"]; got != "azureml://datastores/workspaceblobstore/paths/LocalUpload/h/src" {
		t.Errorf("stored codeUri %v, want the datastore URI", got)
	}
	a.stop()

	b := newEnvIn(t, dir)
	got, err := b.factory().NewCodeVersionsClient().Get(ctx, rg, ws, "c", "1", nil)
	if err != nil || *got.Properties.CodeURI != blobURL(b, "LocalUpload/h/src") {
		t.Fatalf("after the restart: %v, codeUri %v, want %s", err, got.Properties, blobURL(b, "LocalUpload/h/src"))
	}
	env, err := b.factory().NewEnvironmentVersionsClient().Get(ctx, rg, ws, "env", "1", nil)
	if err != nil || *env.Properties.Build.ContextURI != blobURL(b, "LocalUpload/e/ctx/") {
		t.Fatalf("environment after the restart: %v %v", err, env.Properties)
	}
	if _, err := put(b, blobURL(b, "LocalUpload/h/src")); err != nil {
		t.Errorf("re-PUT with the new address: %v, want the same version", err)
	}
	if err := envPut(b, blobURL(b, "LocalUpload/e/ctx/")); err != nil {
		t.Errorf("environment re-PUT with the new address: %v", err)
	}
	if _, err := put(b, blobURL(b, "LocalUpload/other/src")); err == nil {
		t.Errorf("a re-PUT with other content was accepted")
	}
}
