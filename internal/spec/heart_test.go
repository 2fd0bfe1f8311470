package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// heartDir is the demo shipped with the repository.
var heartDir = filepath.Join("..", "..", "testdata", "heart")

// TestHeartDemoDecodes: the demo's endpoint, deployment and data YAML
// decode, with paths resolved against testdata/heart.
func TestHeartDemoDecodes(t *testing.T) {
	abs, err := filepath.Abs(heartDir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := LoadEndpoint(context.Background(), filepath.Join(heartDir, "endpoint.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name == "" || e.AuthMode != AuthAADToken {
		t.Errorf("endpoint = %+v", e)
	}

	d, err := LoadDeployment(context.Background(), filepath.Join(heartDir, "deployment.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Type != DeploymentModel || d.EndpointName != e.Name || d.Name == "" {
		t.Errorf("deployment %q of %q, type %q", d.Name, d.EndpointName, d.Type)
	}
	if m := d.Model.Inline; m == nil || m.Remote || !isUnder(m.Path, abs) {
		t.Errorf("model = %+v, want a local path under %s", d.Model, abs)
	}
	if d.Code == nil || !isUnder(d.Code.Path, abs) || d.ScoringScript == "" {
		t.Errorf("code = %+v, script %q", d.Code, d.ScoringScript)
	}
	if _, err := os.Stat(filepath.Join(d.Code.Path, d.ScoringScript)); err != nil {
		t.Errorf("scoring script: %v", err)
	}
	env := d.Environment.Inline
	if env == nil || env.Image == "" || env.CondaYAML == "" || !isUnder(env.CondaFile, abs) {
		t.Fatalf("environment = %+v", d.Environment)
	}
	if d.Compute == "" || d.ComputeAt == "" {
		t.Errorf("compute %q at %q", d.Compute, d.ComputeAt)
	}
	body := asJSON(t, d.ARM("local", Resolved{ModelID: "m", CodeID: "c", EnvironmentID: "e", ComputeID: ComputeID(testWS, d.Compute)}))
	props := body["properties"].(map[string]any)
	for _, k := range []string{"model", "codeConfiguration", "environmentId", "compute", "resources"} {
		if props[k] == nil {
			t.Errorf("body lacks properties.%s: %v", k, props)
		}
	}

	a, err := LoadData(context.Background(), filepath.Join(heartDir, "heart-dataset-unlabeled.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Local || !isUnder(a.Path, abs) || a.Name == "" {
		t.Errorf("data = %+v", a)
	}
}

func isUnder(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsAbs(p) && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 2 || rel[:2] != "..")
}
