package localtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/app"
)

// writeFiles writes files (slash paths relative to dir) and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// localUploads lists the LocalUpload/<hash> folders of the local
// workspace's blob store: what uploads left behind.
func (e *env) localUploads() []string {
	e.t.Helper()
	matches, err := filepath.Glob(filepath.Join(e.dir, "blob", "*", "*", "LocalUpload", "*"))
	if err != nil {
		e.t.Fatal(err)
	}
	return matches
}

func TestModelCreateShowListArchive(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"model/MLmodel":    "flavors: {}\n",
		"model/model.pkl":  "weights-1",
		"other/model.pkl":  "weights-2",
		"model.yml":        "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: heart\npath: model\ntype: mlflow_model\ndescription: from a file\n",
		"bad-key.yml":      "name: heart\npath: model\nframework: sklearn\n",
		"bad-type.yml":     "name: heart\npath: model\ntype: onnx_model\n",
		"missing-path.yml": "name: heart\npath: nowhere\n",
	})
	model := filepath.Join(dir, "model")
	show := func(args ...string) map[string]any {
		t.Helper()
		r := e.run(append([]string{"model", "show", "-n", "heart"}, args...)...)
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("model show is not JSON: %v\n%s", err, r.stdout)
		}
		return got
	}

	before := len(e.localUploads()) // the environment's deployment
	// As the public scripts run it: a name, a type and a local folder.
	r := e.run("model", "create", "--name", "heart", "--type", "mlflow_model", "--path", model, "--tags", "source=uci")
	var created map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatalf("create output: %v\n%s", err, r.stdout)
	}
	if created["name"] != "heart" || created["version"] != "1" || created["type"] != "mlflow_model" {
		t.Errorf("created = %v, want heart version 1, mlflow_model", created)
	}
	if p, _ := created["path"].(string); !strings.HasPrefix(p, "azureml://subscriptions/") || !strings.Contains(p, "/datastores/workspaceblobstore/paths/LocalUpload/") || !strings.HasSuffix(p, "/model") {
		t.Errorf("path = %q, want the LocalUpload/<hash>/model datastore URI invoke uses", p)
	}
	if tags, _ := created["tags"].(map[string]any); tags["source"] != "uci" {
		t.Errorf("tags = %v", created["tags"])
	}
	uploads := e.localUploads()
	if len(uploads) != before+1 {
		t.Fatalf("uploads = %v, want one more LocalUpload folder", uploads)
	}

	// No version given: the next one, as az (the same files are not
	// uploaded again).
	if got := strings.TrimSpace(e.run("model", "create", "-f", filepath.Join(dir, "model.yml"), "--query", "version", "-o", "tsv").stdout); got != "2" {
		t.Errorf("second create: version %q, want 2", got)
	}
	if len(e.localUploads()) != before+1 {
		t.Errorf("the same folder was uploaded twice: %v", e.localUploads())
	}
	if got := show("--label", "latest"); got["version"] != "2" || got["description"] != "from a file" {
		t.Errorf("show --label latest = %v, want version 2 from model.yml", got)
	}
	if id, _ := show("--version", "1")["id"].(string); !strings.HasSuffix(id, "/models/heart/versions/1") {
		t.Errorf("id = %q", id)
	}

	// Bad input: refused with exit 2, the file/flag, the line and the fix,
	// before anything is uploaded or registered.
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-f", filepath.Join(dir, "bad-key.yml")}, []string{"bad-key.yml:3", `unknown key "framework"`, "valid keys"}},
		{[]string{"-f", filepath.Join(dir, "bad-type.yml")}, []string{"bad-type.yml:3", "onnx_model", "custom_model, mlflow_model, triton_model"}},
		{[]string{"-f", filepath.Join(dir, "missing-path.yml")}, []string{"missing-path.yml:2", "nowhere", "fix the path"}},
		{[]string{"-n", "heart", "-p", model, "-t", "onnx"}, []string{"--type", "onnx"}},
		{[]string{"-n", "heart", "-p", filepath.Join(dir, "gone")}, []string{"--path", "no such file"}},
		// Version 1 exists with other files: refused before the upload.
		{[]string{"-n", "heart", "-v", "1", "-t", "mlflow_model", "-p", filepath.Join(dir, "other")}, []string{"version 1 already exists", "give a new version", "nothing was uploaded"}},
		{[]string{"-n", "heart"}, []string{"--file/-f or --name/-n and --path/-p"}},
	} {
		r := e.ml(nil, append([]string{"model", "create"}, tt.args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("model create %v: want exit 2 and no output, got %s", tt.args, r)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("model create %v: stderr lacks %q:\n%s", tt.args, w, r.stderr)
			}
		}
	}
	if got := e.localUploads(); len(got) != before+1 {
		t.Errorf("a refused create uploaded files: %v", got)
	}
	if got := strings.TrimSpace(e.run("model", "list", "-n", "heart", "--query", "[].version", "-o", "tsv").stdout); got != "2\n1" {
		t.Errorf("versions = %q, want 2 and 1 (nothing half-registered)", got)
	}
	// The same version with the same files is no conflict.
	if got := strings.TrimSpace(e.run("model", "create", "-n", "heart", "-v", "1", "-t", "mlflow_model", "-p", model, "--query", "version", "-o", "tsv").stdout); got != "1" {
		t.Errorf("idempotent create = %q", got)
	}

	// Archive: latest moves back, lists leave it out unless asked.
	if r := e.run("model", "archive", "-n", "heart", "--version", "2"); r.stdout != "" {
		t.Errorf("archive printed %q, want nothing (as az)", r.stdout)
	}
	if got := show("--label", "latest"); got["version"] != "1" {
		t.Errorf("after archiving 2, latest = %v, want 1", got["version"])
	}
	lists := map[string]string{"": "1", "--include-archived": "2\n1", "--archived-only": "2"}
	for flag, want := range lists {
		args := []string{"model", "list", "-n", "heart", "--query", "[].version", "-o", "tsv"}
		if flag != "" {
			args = append(args, flag)
		}
		if got := strings.TrimSpace(e.run(args...).stdout); got != want {
			t.Errorf("model list %s = %q, want %q", flag, got, want)
		}
	}
	e.run("model", "restore", "-n", "heart", "--version", "2")
	if got := show("--label", "latest"); got["version"] != "2" {
		t.Errorf("after restore, latest = %v, want 2", got["version"])
	}
	// The whole model.
	e.run("model", "archive", "-n", "heart")
	if got := strings.TrimSpace(e.run("model", "list", "--query", "length([?name=='heart'])", "-o", "tsv").stdout); got != "0" {
		t.Errorf("models listed after archiving the model: %s", got)
	}
	if got := strings.TrimSpace(e.run("model", "list", "--archived-only", "--query", "[].[name, latest_version]", "-o", "tsv").stdout); got != "heart\t2" {
		t.Errorf("archived model's latest_version = %q", got)
	}
	if r := e.ml(nil, "model", "show", "-n", "nope", "--label", "latest"); r.code != 3 {
		t.Errorf("show of a missing model: want exit 3, got %s", r)
	}
}

// TestRegistryOnLocalWorkspace: --registry-name goes through registry
// discovery on both targets; the local workspace answers that it has no
// registries (exit 3, the reason and the fix) instead of an empty list
// that a script would take for "model not in the registry".
func TestRegistryOnLocalWorkspace(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"model", "show", "-n", "bert-base-uncased", "--label", "latest", "--registry-name", "azureml"},
		{"model", "list", "-n", "bert-base-uncased", "--registry-name", "azureml"},
		{"model", "list", "--registry-name", "azureml"},
		{"component", "show", "-n", "finetune", "--label", "latest", "--registry-name", "azureml"},
	} {
		r := e.ml(nil, args...)
		if r.code != app.ExitNotFound {
			t.Errorf("ml %s: %s; want exit %d", strings.Join(args, " "), r, app.ExitNotFound)
			continue
		}
		if !strings.Contains(r.stderr, "registry azureml not found") || !strings.Contains(r.stderr, "the local workspace has no registries") {
			t.Errorf("ml %s: stderr does not say why:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
}
