package localtest

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestComputeCreateShowListDelete(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"cluster.yml":   "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json\nname: basic-example\ntype: amlcompute\nsize: STANDARD_DS3_v2\nmin_instances: 0\nmax_instances: 2\nidle_time_before_scale_down: 120\ntier: low_priority\n",
		"instance.yml":  "name: ci\ntype: computeinstance\n",
		"bad-range.yml": "name: c\ntype: amlcompute\nmin_instances: 3\nmax_instances: 1\n",
		"bad-key.yml":   "name: c\ntype: amlcompute\nnodes: 3\n",
	})

	// As the public scripts run it.
	r := e.run("compute", "create", "-n", "batch-cluster", "--type", "amlcompute", "--min-instances", "0", "--max-instances", "5")
	if n := strings.Count(r.stderr, "runs jobs on this machine"); n != 1 {
		t.Errorf("want one note that jobs run on this machine, got %d:\n%s", n, r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("create output: %v\n%s", err, r.stdout)
	}
	want := map[string]any{"name": "batch-cluster", "type": "amlcompute", "provisioning_state": "Succeeded", "size": "STANDARD_DS3_V2",
		"min_instances": float64(0), "max_instances": float64(5), "location": "local"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("create: %s = %v, want %v", k, got[k], v)
		}
	}
	// A script checks it like on Azure.
	if s := strings.TrimSpace(e.run("compute", "show", "-n", "batch-cluster", "--query", "provisioning_state", "-o", "tsv").stdout); s != "Succeeded" {
		t.Errorf("show provisioning_state = %q", s)
	}
	r = e.run("compute", "create", "-f", filepath.Join(dir, "cluster.yml"), "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got["idle_time_before_scale_down"] != float64(120) || got["tier"] != "low_priority" || got["max_instances"] != float64(2) {
		t.Errorf("from cluster.yml: %v", got)
	}
	if s := strings.TrimSpace(e.run("compute", "list", "--type", "AmlCompute", "--query", "[].name", "-o", "tsv").stdout); s != "batch-cluster\nbasic-example" {
		t.Errorf("list = %q", s)
	}

	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-f", filepath.Join(dir, "instance.yml")}, []string{"instance.yml:2", "amlcompute only"}},
		{[]string{"-f", filepath.Join(dir, "bad-range.yml")}, []string{"bad-range.yml:3", "min_instances (3) is more than max_instances (1)"}},
		{[]string{"-f", filepath.Join(dir, "bad-key.yml")}, []string{"bad-key.yml:3", `unknown key "nodes"`}},
		{[]string{"-n", "c", "--type", "kubernetes"}, []string{"--type", "amlcompute only"}},
		{[]string{"-n", "c"}, []string{"--type/-t amlcompute"}},
		{[]string{"-n", "c", "-t", "amlcompute", "--tier", "spot"}, []string{"--tier", "dedicated, low_priority"}},
	} {
		r := e.ml(nil, append([]string{"compute", "create"}, tt.args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("compute create %v: want exit 2, got %s", tt.args, r)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("compute create %v: stderr lacks %q:\n%s", tt.args, w, r.stderr)
			}
		}
	}
	if s := strings.TrimSpace(e.run("compute", "list", "--query", "length(@)", "-o", "tsv").stdout); s != "2" {
		t.Errorf("after refused creates, %s computes, want 2", s)
	}

	e.run("compute", "delete", "-n", "basic-example", "--yes")
	if r := e.ml(nil, "compute", "show", "-n", "basic-example"); r.code != 3 || !strings.Contains(r.stderr, "basic-example") {
		t.Errorf("show after delete: want exit 3, got %s", r)
	}
	if r := e.ml(nil, "compute", "delete", "-n", "batch-cluster"); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("delete without --yes and no terminal: want exit 2 naming --yes, got %s", r)
	}
}
