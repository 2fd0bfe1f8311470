package localtest

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvironmentCreateShowListArchive runs `ml environment` as the public
// batch scripts do (azureml-examples
// deploy-pipelines/batch-scoring-with-preprocessing): the local workspace
// records the environment, notes once that it runs with the local Python,
// and answers show/list/archive like Azure.
func TestEnvironmentCreateShowListArchive(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"environment/xgboost-sklearn-py38.yml": "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: xgboost-sklearn-py38\n" +
			"image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest\nconda_file: conda.yml\ndescription: An environment for models built with XGBoost and Scikit-learn.",
		"environment/conda.yml":     "channels:\n- conda-forge\ndependencies:\n- python=3.8.5\n- pip\n- pip:\n  - mlflow\nname: mlflow-env\n",
		"environment/other.yml":     "channels:\n- conda-forge\ndependencies:\n- python=3.11\n",
		"docker/Dockerfile":         "FROM python:3.11\n",
		"docker2/Dockerfile":        "FROM python:3.12\n",
		"bad-key.yml":               "name: e\nimage: python:3.11\npython_version: 3.11\n",
		"missing-conda.yml":         "name: e\nimage: python:3.11\nconda_file: nowhere.yml\n",
		"no-image.yml":              "name: e\ndescription: nothing to run in\n",
		"conda-in-env.yml":          "name: e\nimage: python:3.11\ndependencies:\n- python=3.11\n",
		"docker-missing/README.txt": "no Dockerfile here\n",
	})
	file := filepath.Join(dir, "environment", "xgboost-sklearn-py38.yml")

	before := len(e.localUploads())
	r := e.run("environment", "create", "-f", file)
	if n := strings.Count(r.stderr, "local Python (ML_LOCAL_PYTHON)"); n != 1 {
		t.Errorf("want one note that the local Python runs it, got %d:\n%s", n, r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("create output: %v\n%s", err, r.stdout)
	}
	if got["name"] != "xgboost-sklearn-py38" || got["version"] != "1" || got["image"] != "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest" {
		t.Errorf("created = %v", got)
	}
	// az prints the conda file as an object, as written.
	if conda, _ := got["conda_file"].(map[string]any); conda["name"] != "mlflow-env" || len(conda["dependencies"].([]any)) != 3 {
		t.Errorf("conda_file = %v", got["conda_file"])
	}
	if id, _ := got["id"].(string); !strings.HasSuffix(id, "/environments/xgboost-sklearn-py38/versions/1") {
		t.Errorf("id = %q", id)
	}

	// Each create without a version adds one, as az does.
	if v := strings.TrimSpace(e.run("environment", "create", "-f", file, "--set", "description=second", "--query", "version", "-o", "tsv").stdout); v != "2" {
		t.Errorf("second create: version %q, want 2", v)
	}
	show := func(args ...string) map[string]any {
		t.Helper()
		var got map[string]any
		r := e.run(append([]string{"environment", "show", "-n", "xgboost-sklearn-py38"}, args...)...)
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("show: %v\n%s", err, r.stdout)
		}
		return got
	}
	if got := show("--label", "latest"); got["version"] != "2" || got["description"] != "second" {
		t.Errorf("show --label latest = %v", got)
	}

	// From flags, with a build context: uploaded, az's default Dockerfile path.
	r = e.run("environment", "create", "-n", "docker-env", "-b", filepath.Join(dir, "docker"), "-v", "3", "--tags", "team=ml")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	build, _ := got["build"].(map[string]any)
	if p, _ := build["path"].(string); got["version"] != "3" || !strings.Contains(p, "/LocalUpload/") || !strings.HasSuffix(p, "/docker/") || build["dockerfile_path"] != "/Dockerfile" {
		t.Errorf("build environment = %v", got)
	}
	if len(e.localUploads()) != before+1 {
		t.Errorf("uploads = %v, want the build context once", e.localUploads())
	}
	// The same version with the same content is no conflict.
	e.run("environment", "create", "-n", "docker-env", "-b", filepath.Join(dir, "docker"), "-v", "3", "--tags", "team=ml")

	// Bad input: exit 2 with the file/flag, the line and the fix, nothing
	// uploaded or registered.
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-f", filepath.Join(dir, "bad-key.yml")}, []string{"bad-key.yml:3", `unknown key "python_version"`, "valid keys"}},
		{[]string{"-f", filepath.Join(dir, "missing-conda.yml")}, []string{"missing-conda.yml:3", "nowhere.yml"}},
		{[]string{"-f", filepath.Join(dir, "no-image.yml")}, []string{"no-image.yml:1", "add image:"}},
		{[]string{"-f", filepath.Join(dir, "conda-in-env.yml")}, []string{"conda-in-env.yml:3", "belongs in a conda file"}},
		{[]string{"-n", "e", "-b", filepath.Join(dir, "docker-missing")}, []string{"--build-context", "Dockerfile"}},
		{[]string{"-n", "e", "-i", "python:3.11", "-c", filepath.Join(dir, "gone.yml")}, []string{"--conda-file", "gone.yml"}},
		{[]string{"-n", "e", "-i", "python:3.11", "-b", filepath.Join(dir, "docker")}, []string{"both image and build"}},
		{[]string{"-n", "e"}, []string{"--file/-f", "--image/-i"}},
		// Version 3 exists with another context: refused before the upload.
		{[]string{"-n", "docker-env", "-v", "3", "-b", filepath.Join(dir, "docker2")}, []string{"version 3 already exists", "give a new version", "nothing was uploaded"}},
		{[]string{"-f", file, "-v", "1", "-c", filepath.Join(dir, "environment", "other.yml")}, []string{"version 1 already exists", "give a new version"}},
	} {
		r := e.ml(nil, append([]string{"environment", "create"}, tt.args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("environment create %v: want exit 2 and no output, got %s", tt.args, r)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("environment create %v: stderr lacks %q:\n%s", tt.args, w, r.stderr)
			}
		}
	}
	if got := e.localUploads(); len(got) != before+1 {
		t.Errorf("a refused create uploaded files: %v", got)
	}
	if s := strings.TrimSpace(e.run("environment", "list", "--query", "sort([].name)", "-o", "tsv").stdout); s != "docker-env\nxgboost-sklearn-py38" {
		t.Errorf("environments = %q, want docker-env and xgboost-sklearn-py38 (nothing half-registered)", s)
	}

	// Archive a version: latest moves back; lists leave it out unless asked.
	if r := e.run("environment", "archive", "-n", "xgboost-sklearn-py38", "--version", "2"); r.stdout != "" {
		t.Errorf("archive printed %q, want nothing (as az)", r.stdout)
	}
	if got := show("--label", "latest"); got["version"] != "1" {
		t.Errorf("after archiving 2, latest = %v, want 1", got["version"])
	}
	for flag, want := range map[string]string{"": "1", "--include-archived": "2\n1", "--archived-only": "2"} {
		args := []string{"environment", "list", "-n", "xgboost-sklearn-py38", "--query", "[].version", "-o", "tsv"}
		if flag != "" {
			args = append(args, flag)
		}
		if s := strings.TrimSpace(e.run(args...).stdout); s != want {
			t.Errorf("environment list %s = %q, want %q", flag, s, want)
		}
	}
	e.run("environment", "restore", "-n", "xgboost-sklearn-py38", "--version", "2")
	if got := show("--label", "latest"); got["version"] != "2" {
		t.Errorf("after restore, latest = %v", got["version"])
	}
	e.run("environment", "archive", "-n", "docker-env")
	if s := strings.TrimSpace(e.run("environment", "list", "--query", "[].name", "-o", "tsv").stdout); s != "xgboost-sklearn-py38" {
		t.Errorf("after archiving docker-env, list = %q", s)
	}
	if r := e.ml(nil, "environment", "show", "-n", "nope", "--label", "latest"); r.code != 3 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("show of a missing environment: want exit 3, got %s", r)
	}
}
