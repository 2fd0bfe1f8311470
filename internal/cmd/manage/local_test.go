package manage_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/app"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/localws"
)

// localWorld is a local workspace on 127.0.0.1 and a folder of Azure ML
// YAML files for it.
type localWorld struct {
	t        *testing.T
	wsDir    string
	home     string
	yamlDir  string
	lastCode int
}

func newLocalWorld(t *testing.T) *localWorld {
	t.Helper()
	w := &localWorld{t: t, wsDir: t.TempDir(), home: t.TempDir(), yamlDir: t.TempDir()}
	srv, err := localws.New(localws.Options{Dir: w.wsDir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("localws.New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	for name, content := range map[string]string{
		"endpoint.yml": "$schema: https://azuremlschemas.azureedge.net/latest/batchEndpoint.schema.json\nname: heart-ep\nauth_mode: aad_token\n",
		"deployment.yml": `$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
name: blue
endpoint_name: heart-ep
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
  conda_file: conda.yml
compute: azureml:batch-cluster
settings:
  mini_batch_size: 2
  output_action: append_row
  retry_settings:
    timeout: 30
`,
		"model/model.json": `{"w": 1}`,
		"code/score.py":    "def init():\n    pass\n\n\ndef run(mini_batch):\n    return mini_batch\n",
		"conda.yml":        "dependencies:\n  - python=3.11\n",
		"data.yml":         "name: rows\ntype: uri_folder\npath: rows\n",
		"rows/a.csv":       "x\n1\n",
	} {
		p := filepath.Join(w.yamlDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *localWorld) getenv(k string) string {
	switch k {
	case "ML_LOCAL_DIR":
		return w.wsDir
	case "ML_LOCAL":
		return "1"
	case "HOME":
		return w.home
	case "AZURE_CONFIG_DIR":
		return filepath.Join(w.home, ".azure")
	}
	return ""
}

// ml runs the CLI in process and returns stdout and stderr.
func (w *localWorld) ml(args ...string) (string, string) {
	w.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	w.lastCode = app.Run(context.Background(), args, ios, w.getenv)
	return out.String(), errOut.String()
}

func (w *localWorld) file(name string) string { return filepath.Join(w.yamlDir, name) }

func decode(t *testing.T, out string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	return v
}

// TestManageOnTheLocalWorkspace drives create, update, show, list and
// delete of endpoints, deployments and data assets through ml's command
// line against a local workspace, from Azure ML YAML files.
func TestManageOnTheLocalWorkspace(t *testing.T) {
	w := newLocalWorld(t)

	out, errOut := w.ml("batch-endpoint", "create", "-f", w.file("endpoint.yml"))
	if w.lastCode != 0 {
		t.Fatalf("endpoint create exit %d: %s", w.lastCode, errOut)
	}
	if ep := decode(t, out); ep["name"] != "heart-ep" || ep["provisioning_state"] != "Succeeded" || ep["auth_mode"] != "aad_token" {
		t.Errorf("endpoint = %v", ep)
	}
	if !strings.Contains(errOut, "Creating batch endpoint heart-ep") {
		t.Errorf("no progress line: %q", errOut)
	}

	out, errOut = w.ml("batch-deployment", "create", "-f", w.file("deployment.yml"), "--set-default")
	if w.lastCode != 0 {
		t.Fatalf("deployment create exit %d: %s", w.lastCode, errOut)
	}
	dep := decode(t, out)
	if !strings.HasSuffix(dep["model"].(string), "/models/heart-model/versions/1") || !strings.HasSuffix(dep["environment"].(string), "/environments/heart-env/versions/1") {
		t.Errorf("deployment = %v", dep)
	}
	if strings.Count(errOut, "compute batch-cluster is recorded but not used") != 1 || strings.Count(errOut, "is recorded but not pulled") != 1 {
		t.Errorf("local notices, want one each:\n%s", errOut)
	}
	out, _ = w.ml("batch-endpoint", "show", "-n", "heart-ep", "--query", "defaults.deployment_name", "-o", "tsv")
	if strings.TrimSpace(out) != "blue" {
		t.Errorf("default deployment = %q, want blue (--set-default)", out)
	}

	// Again with the same files: nothing uploaded, no new versions.
	out, errOut = w.ml("batch-deployment", "create", "-f", w.file("deployment.yml"))
	if w.lastCode != 0 {
		t.Fatalf("second create exit %d: %s", w.lastCode, errOut)
	}
	if again := decode(t, out); again["model"] != dep["model"] || again["environment"] != dep["environment"] || again["code_configuration"].(map[string]any)["code"] != dep["code_configuration"].(map[string]any)["code"] {
		t.Errorf("second create registered new assets: %v", again)
	}
	// The code upload is skipped (its content is there); the model's
	// latest version already holds the same files, so it is reused
	// without even probing the upload.
	if strings.Count(errOut, "skipped") != 1 || strings.Contains(errOut, "model") {
		t.Errorf("second create should skip the code upload and not touch the model's:\n%s", errOut)
	}

	out, errOut = w.ml("batch-deployment", "update", "-e", "heart-ep", "-n", "blue", "--set", "settings.mini_batch_size=7", "--set", "settings.retry_settings.timeout=90")
	if w.lastCode != 0 {
		t.Fatalf("update exit %d: %s", w.lastCode, errOut)
	}
	settings := decode(t, out)["settings"].(map[string]any)
	if settings["mini_batch_size"] != float64(7) || settings["retry_settings"].(map[string]any)["timeout"] != "PT1M30S" {
		t.Errorf("updated settings = %v", settings)
	}

	out, _ = w.ml("batch-deployment", "list", "-e", "heart-ep", "--query", "[].name", "-o", "tsv")
	if strings.TrimSpace(out) != "blue" {
		t.Errorf("list = %q", out)
	}

	out, errOut = w.ml("data", "create", "-f", w.file("data.yml"))
	if w.lastCode != 0 {
		t.Fatalf("data create exit %d: %s", w.lastCode, errOut)
	}
	if d := decode(t, out); d["version"] != "1" || !strings.HasSuffix(d["path"].(string), "/rows/") {
		t.Errorf("data = %v", d)
	}

	// Bad YAML: refused with file and line, exit 2, nothing sent.
	bad := w.file("bad.yml")
	if err := os.WriteFile(bad, []byte("name: green\nendpoint_name: heart-ep\ntype: model\nmodel: azureml:heart-model:1\ncompute: azureml:c\nsettings:\n  mini_batch_size: many\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut = w.ml("batch-deployment", "create", "-f", bad)
	if w.lastCode != 2 || !strings.Contains(errOut, bad+":7: settings.mini_batch_size must be a whole number") {
		t.Errorf("bad YAML: exit %d, %s", w.lastCode, errOut)
	}
	w.ml("batch-deployment", "show", "-e", "heart-ep", "-n", "green")
	if w.lastCode != 3 {
		t.Errorf("the bad deployment exists (show exit %d)", w.lastCode)
	}

	// Delete needs --yes without a terminal; then the endpoint goes.
	_, errOut = w.ml("batch-endpoint", "delete", "-n", "heart-ep")
	if w.lastCode != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("delete without --yes: exit %d, %s", w.lastCode, errOut)
	}
	_, errOut = w.ml("batch-endpoint", "delete", "-n", "heart-ep", "--yes")
	if w.lastCode != 0 {
		t.Fatalf("delete exit %d: %s", w.lastCode, errOut)
	}
	w.ml("batch-endpoint", "show", "-n", "heart-ep")
	if w.lastCode != 3 {
		t.Errorf("show after delete: exit %d, want 3", w.lastCode)
	}
}
