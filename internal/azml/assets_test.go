package azml

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
	"github.com/mlbatch/ml/internal/testutil/azurite"
	"github.com/mlbatch/ml/internal/upload"
)

// assetWorld is a fake workspace whose datastore is a private Azurite.
type assetWorld struct {
	arm  *fakeARM
	c    *Client
	blob *azblob.Client
	dir  string
}

// startBlobService starts an Azurite and returns it with a shared-key
// client and the key.
func startBlobService(t *testing.T) (*azurite.Instance, *azblob.Client, *azblob.SharedKeyCredential) {
	t.Helper()
	inst := azurite.Start(t)
	cred, err := azblob.NewSharedKeyCredential(inst.Account, inst.Key)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := azblob.NewClientWithSharedKeyCredential(inst.ServiceURL, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return inst, blob, cred
}

func newAssetWorld(t *testing.T, local bool) *assetWorld {
	t.Helper()
	inst, blob, cred := startBlobService(t)
	if _, err := blob.CreateContainer(context.Background(), "azureml-blobstore", nil); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(inst.ServiceURL)
	if err != nil {
		t.Fatal(err)
	}
	// The datastore's secret is a container SAS: unlike a shared key
	// signature it does not cover the URL path, which the test transport
	// rewrites to Azurite's path-style form.
	perms := sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true}
	q, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour), ContainerName: "azureml-blobstore",
		Permissions: perms.String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	arm := newFakeARM(q.Encode())
	dir := t.TempDir()
	for name, content := range map[string]string{
		"deploy/code/score.py":      "def init():\n    pass\n\n\ndef run(mini_batch):\n    return mini_batch\n",
		"deploy/model/model.json":   `{"w": [1, 2]}`,
		"deploy/env/conda.yml":      "name: e\ndependencies:\n  - python=3.11\n",
		"deploy/deployment.yml":     heartLikeDeployment,
		"rows/part-0.csv":           "a,b\n1,2\n",
		"rows/part-1.csv":           "a,b\n3,4\n",
		"deploy/code/.amlignore":    "*.tmp\n",
		"deploy/code/scratch.tmp":   "ignored",
		"deploy/model/README.txt":   "weights",
		"deploy/env/notes-only.txt": "not uploaded",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &assetWorld{arm: arm, c: newTestClient(t, arm, u, local), blob: blob, dir: dir}
}

const heartLikeDeployment = `name: blue
endpoint_name: heart
type: model
model:
  name: heart-model
  path: model
code_configuration:
  code: code
  scoring_script: score.py
environment:
  name: heart-env
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
  conda_file: env/conda.yml
compute: azureml:batch-cluster
`

// blobExists reports whether the datastore holds blob name.
func (w *assetWorld) blobExists(t *testing.T, name string) bool {
	t.Helper()
	_, err := w.blob.ServiceClient().NewContainerClient("azureml-blobstore").NewBlobClient(name).GetProperties(context.Background(), nil)
	return err == nil
}

// TestPrepareDeploymentRegistersAssetsLikeAz: code, model and environment
// of an inline deployment are uploaded and registered as az registers
// them; a second run uploads nothing and registers no new version.
func TestPrepareDeploymentRegistersAssetsLikeAz(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	d, err := spec.LoadDeployment(context.Background(), filepath.Join(w.dir, "deploy", "deployment.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingReporter{}
	assets := w.c.Assets(UploadOptions{Report: rec.report})
	ids, regs, err := assets.PrepareDeployment(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 3 || !regs[0].Created || !regs[1].Created || !regs[2].Created {
		t.Fatalf("registered %+v, want 3 new assets", regs)
	}
	code, model, env := regs[0], regs[1], regs[2]

	// Code: anonymous, version 1, codeUri the blob URL of the uploaded folder.
	codePut := w.arm.seen(http.MethodPut, "/codes/")
	if len(codePut) != 1 || code.Version != "1" || ids.CodeID != fakeWS+"/codes/"+code.Name+"/versions/1" {
		t.Fatalf("code %+v, PUTs %+v", code, codePut)
	}
	cp := codePut[0].Body["properties"].(map[string]any)
	codeURI := cp["codeUri"].(string)
	if cp["isAnonymous"] != true || !strings.HasPrefix(codeURI, "https://devstoreaccount1.blob.core.windows.net/azureml-blobstore/LocalUpload/") || !strings.HasSuffix(codeURI, "/code") {
		t.Errorf("code version = %v", cp)
	}
	remote := strings.TrimPrefix(codeURI, "https://devstoreaccount1.blob.core.windows.net/azureml-blobstore/")
	if !w.blobExists(t, remote+"/score.py") || w.blobExists(t, remote+"/scratch.tmp") {
		t.Errorf("code blobs under %s: want score.py, not the .amlignore'd scratch.tmp", remote)
	}

	// Model: named, first version 1, modelUri the long datastore URI.
	mp := w.arm.seen(http.MethodPut, "/models/heart-model/versions/1")
	if len(mp) != 1 || ids.ModelID != fakeWS+"/models/heart-model/versions/1" || model.Name != "heart-model" {
		t.Fatalf("model %+v, PUTs %+v", model, mp)
	}
	mprops := mp[0].Body["properties"].(map[string]any)
	wantPrefix := "azureml://subscriptions/" + fakeSub + "/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/LocalUpload/"
	if mu := mprops["modelUri"].(string); !strings.HasPrefix(mu, wantPrefix) || !strings.HasSuffix(mu, "/model") || mprops["modelType"] != "custom_model" || mprops["isAnonymous"] != false {
		t.Errorf("model version = %v", mprops)
	}

	// Environment: named, version 1, image and PyYAML-style conda text.
	ep := w.arm.seen(http.MethodPut, "/environments/heart-env/versions/1")
	if len(ep) != 1 || ids.EnvironmentID != fakeWS+"/environments/heart-env/versions/1" || env.Version != "1" {
		t.Fatalf("environment %+v, PUTs %+v", env, ep)
	}
	eprops := ep[0].Body["properties"].(map[string]any)
	if eprops["condaFile"] != "dependencies:\n- python=3.11\nname: e\n" || eprops["image"] == nil {
		t.Errorf("environment version = %v", eprops)
	}
	if ids.ComputeID != fakeWS+"/computes/batch-cluster" {
		t.Errorf("compute = %q", ids.ComputeID)
	}
	if strings.Join(rec.labels, ",") != "code,model heart-model" || rec.events == 0 || len(rec.done) != 2 {
		t.Errorf("reported uploads %v (%d events), done %v", rec.labels, rec.events, rec.done)
	}

	// Second run: same content, no upload sent, no new version.
	ids2, regs2, err := w.c.Assets(UploadOptions{}).PrepareDeployment(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if ids2 != ids {
		t.Errorf("second run ids %+v, want %+v", ids2, ids)
	}
	for _, r := range regs2 {
		if r.Created {
			t.Errorf("second run created %s %s:%s", r.Kind, r.Name, r.Version)
		}
		if r.Upload != nil && !r.Upload.Skipped {
			t.Errorf("second run uploaded %s again", r.Kind)
		}
	}
	if n := len(w.arm.seen(http.MethodPut, "/models/")) + len(w.arm.seen(http.MethodPut, "/codes/")) + len(w.arm.seen(http.MethodPut, "/environments/")); n != 3 {
		t.Errorf("%d asset PUTs after two runs, want 3", n)
	}
}

// TestModelVersionsAdvance: a changed model gets the next version; an
// explicit version that exists with other files is refused.
func TestModelVersionsAdvance(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	a := w.c.Assets(UploadOptions{})
	m := &spec.Model{Name: "heart-model", Type: "custom_model", Path: filepath.Join(w.dir, "deploy", "model"), At: "d.yml:4"}
	if r, err := a.RegisterModel(ctx, m); err != nil || r.Version != "1" {
		t.Fatalf("first: %+v %v", r, err)
	}
	if err := os.WriteFile(filepath.Join(m.Path, "model.json"), []byte(`{"w": [3]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A later command (a registrar plans each path once per command).
	a = w.c.Assets(UploadOptions{})
	r, err := a.RegisterModel(ctx, m)
	if err != nil || r.Version != "2" || !r.Created {
		t.Fatalf("changed model: %+v %v, want new version 2", r, err)
	}
	m.Version = "1"
	if _, err := a.RegisterModel(ctx, m); !clierr.IsUsage(err) || !strings.Contains(err.Error(), "d.yml:4: model heart-model version 1 already exists with other files") {
		t.Errorf("explicit existing version: %v", err)
	}
	// Anonymous: named after the content hash, version 1.
	other := filepath.Join(w.dir, "other-model")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "w.bin"), []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	anon := &spec.Model{Type: "custom_model", Path: other}
	r, err = a.RegisterModel(ctx, anon)
	if err != nil || r.Version != "1" || len(r.Name) != 32 || !r.Created {
		t.Fatalf("anonymous model: %+v %v", r, err)
	}
	body := w.arm.seen(http.MethodPut, "/models/"+r.Name+"/versions/1")[0].Body["properties"].(map[string]any)
	if body["isAnonymous"] != true {
		t.Errorf("anonymous model body = %v", body)
	}
}

// TestCreateDataUploadsAndVersions: `data create` of a local folder
// uploads it and registers version 1 at the folder's datastore URI; again
// with the same files registers version 2 without uploading.
func TestCreateDataUploadsAndVersions(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	d := &spec.DataAsset{Name: "rows", Type: spec.DataURIFolder, Path: filepath.Join(w.dir, "rows"), Local: true}
	got, err := w.c.Assets(UploadOptions{}).CreateData(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	v := DataView(got)
	path, _ := v["path"].(string)
	if v["name"] != "rows" || v["version"] != "1" || !strings.HasPrefix(path, "azureml://datastores/workspaceblobstore/paths/LocalUpload/") || !strings.HasSuffix(path, "/rows/") {
		t.Fatalf("data view = %v", v)
	}
	remote := strings.TrimSuffix(strings.TrimPrefix(path, "azureml://datastores/workspaceblobstore/paths/"), "/")
	if !w.blobExists(t, remote+"/part-0.csv") || !w.blobExists(t, remote+"/part-1.csv") {
		t.Errorf("blobs under %s missing", remote)
	}
	got2, err := w.c.Assets(UploadOptions{}).CreateData(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if v2 := DataView(got2); v2["version"] != "2" || v2["path"] != path {
		t.Errorf("second create = %v, want version 2 at the same path", v2)
	}
	file := &spec.DataAsset{Name: "one", Version: "7", Type: spec.DataURIFile, Path: filepath.Join(w.dir, "rows", "part-0.csv"), Local: true}
	got3, err := w.c.Assets(UploadOptions{}).CreateData(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if p := DataView(got3)["path"].(string); !strings.HasSuffix(p, "/part-0.csv") || DataView(got3)["version"] != "7" {
		t.Errorf("uri_file data = %v", DataView(got3))
	}
}

// TestResolveRef: name:version is built without a request, @latest is the
// newest active version (an archived one is skipped, as az lists them), a
// missing asset is not found; on the local workspace an unknown curated
// environment is sent as written.
func TestResolveRef(t *testing.T) {
	arm := newFakeARM("")
	arm.resources["/models/heart/versions/4"] = map[string]any{"_seq": 1, "name": "4", "properties": map[string]any{}}
	arm.resources["/models/heart/versions/5"] = map[string]any{"_seq": 2, "name": "5", "properties": map[string]any{"isArchived": true}}
	c := newTestClient(t, arm, nil, false)
	ctx := context.Background()
	ref := func(kind spec.AssetKind, s string) *spec.Ref {
		r, err := spec.ParseRef(kind, s)
		if err != nil {
			t.Fatal(err)
		}
		r.At = "d.yml:3"
		return r
	}
	if id, err := c.ResolveRef(ctx, ref(spec.KindModel, "azureml:other:2")); err != nil || id != fakeWS+"/models/other/versions/2" {
		t.Errorf("name:version = %q, %v", id, err)
	}
	if n := len(arm.seen(http.MethodGet, "/models/")); n != 0 {
		t.Errorf("name:version made %d requests", n)
	}
	if id, err := c.ResolveRef(ctx, ref(spec.KindModel, "azureml:heart@latest")); err != nil || id != fakeWS+"/models/heart/versions/4" {
		t.Errorf("@latest = %q, %v", id, err)
	}
	if _, err := c.ResolveRef(ctx, ref(spec.KindModel, "azureml:nope@latest")); !clierr.IsNotFound(err) || !strings.Contains(err.Error(), "d.yml:3") {
		t.Errorf("missing model: %v", err)
	}
	curated := ref(spec.KindEnvironment, "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest")
	if _, err := c.resolveEnvironmentRef(ctx, curated); !clierr.IsNotFound(err) {
		t.Errorf("curated env on Azure without it: %v", err)
	}
	local := newTestClient(t, arm, nil, true)
	if id, err := local.resolveEnvironmentRef(ctx, curated); err != nil || id != curated.Raw {
		t.Errorf("curated env on the local workspace = %q, %v; want it sent as written", id, err)
	}
}

// recordingReporter records what the upload reports said.
type recordingReporter struct {
	labels []string
	events int
	done   []string
}

func (r *recordingReporter) report(what string, _ *upload.Plan) UploadReporter {
	r.labels = append(r.labels, what)
	return r
}

func (r *recordingReporter) Event(upload.Event) { r.events++ }

func (r *recordingReporter) Done(_ *upload.Result, dest string) { r.done = append(r.done, dest) }

func (r *recordingReporter) Abort() { r.done = append(r.done, "aborted") }
