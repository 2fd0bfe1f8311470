package localtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeploymentOnMissingEndpointRegistersNothing: a deployment naming an
// endpoint that does not exist fails (exit 3) before its inline model and
// code are uploaded or registered.
func TestDeploymentOnMissingEndpointRegistersNothing(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"model/weights.bin": "new weights",
		"src/score.py":      "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n",
		"deployment.yml": "name: blue\nendpoint_name: nowhere\nmodel:\n  name: fresh-model\n  path: model\n" +
			"code_configuration:\n  code: src\n  scoring_script: score.py\ncompute: azureml:cpu-cluster\n",
	})
	models := func() string {
		t.Helper()
		var list []struct{ Name string }
		if err := json.Unmarshal([]byte(e.run("model", "list", "-o", "json").stdout), &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range list {
			names = append(names, m.Name)
		}
		return strings.Join(names, ",")
	}
	modelsBefore, uploadsBefore := models(), len(e.localUploads())

	r := e.ml(nil, "batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"))
	if r.code != 3 || !strings.Contains(r.stderr, "batch endpoint nowhere does not exist") || !strings.Contains(r.stderr, "ml batch-endpoint create -n nowhere") {
		t.Fatalf("want exit 3 naming the missing endpoint and the fix, got %s", r)
	}
	if strings.Contains(r.stderr, "Uploaded") {
		t.Errorf("something was uploaded before the endpoint check:\n%s", r.stderr)
	}
	if got := models(); got != modelsBefore {
		t.Errorf("models %q after the failed create, want %q", got, modelsBefore)
	}
	if got := len(e.localUploads()); got != uploadsBefore {
		t.Errorf("%d uploads after the failed create, want %d", got, uploadsBefore)
	}

	// -e names the endpoint that exists: the same file deploys.
	e.run("batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"), "-e", endpointName)
	if got := models(); !strings.Contains(got, "fresh-model") {
		t.Errorf("models %q after the create, want fresh-model among them", got)
	}
}

// TestDeploymentWithBadModelRegistersNoCode: every local folder of a
// deployment is listed before any request and read before anything is
// registered, so an empty model folder fails the create (exit 2, naming
// the folder) without uploading or registering its code first, and on a
// missing endpoint the path is what the error names.
func TestDeploymentWithBadModelRegistersNoCode(t *testing.T) {
	e := newEnv(t)
	e.setupDeployment()
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"src/score.py": "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n",
		"deployment.yml": "name: green\nendpoint_name: " + endpointName + "\nmodel:\n  name: empty-model\n  path: model\n" +
			"code_configuration:\n  code: src\n  scoring_script: score.py\ncompute: azureml:cpu-cluster\n",
	})
	if err := os.Mkdir(filepath.Join(dir, "model"), 0o755); err != nil {
		t.Fatal(err)
	}
	uploadsBefore := len(e.localUploads())
	for _, endpoint := range []string{endpointName, "nowhere"} {
		r := e.ml(nil, "batch-deployment", "create", "-f", filepath.Join(dir, "deployment.yml"), "-e", endpoint)
		if r.code != 2 || !strings.Contains(r.stderr, filepath.Join(dir, "model")) {
			t.Fatalf("endpoint %s: want exit 2 naming the empty model folder, got %s", endpoint, r)
		}
		if got := len(e.localUploads()); got != uploadsBefore {
			t.Errorf("endpoint %s: %d uploads after the failed create, want %d (the code went up before the model was checked)", endpoint, got, uploadsBefore)
		}
	}
}
