package localtest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestBatchEndpointShowAndList(t *testing.T) {
	e := newEnv(t)
	wantURI := e.srv.URL() + "/endpoints/" + endpointName + "/jobs"

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"scoring_uri as tsv", []string{"batch-endpoint", "show", "-n", endpointName, "--query", "scoring_uri", "-o", "tsv"}, wantURI},
		{"default deployment", []string{"batch-endpoint", "show", "-n", endpointName, "--query", "defaults.deployment_name", "-o", "tsv"}, deploymentName},
		{"auth mode in az's spelling", []string{"batch-endpoint", "show", "-n", endpointName, "--query", "auth_mode", "-o", "tsv"}, "aad_token"},
		{"list names", []string{"batch-endpoint", "list", "--query", "[].name", "-o", "tsv"}, endpointName},
		{"list keys are show's", []string{"batch-endpoint", "list", "--query", "[0].scoring_uri", "-o", "tsv"}, wantURI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(tt.args...)
			if got := strings.TrimSpace(r.stdout); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("missing endpoint exits 3", func(t *testing.T) {
		r := e.ml(nil, "batch-endpoint", "show", "-n", "nope")
		if r.code != 3 || !strings.Contains(r.stderr, "nope") || r.stdout != "" {
			t.Errorf("want exit 3 naming the endpoint and no stdout, got %s", r)
		}
	})
}

func TestBatchEndpointListJobs(t *testing.T) {
	e := newEnv(t)
	first := e.invoke(map[string]string{"a.csv": "1,2\n"})
	second := e.invoke(map[string]string{"b.csv": "3,4\n"}, "-d", deploymentName)
	e.waitStatus(first, "Completed")
	e.waitStatus(second, "Completed")

	names := func(args ...string) []string {
		t.Helper()
		r := e.run(append(args, "-o", "json")...)
		var jobs []struct {
			Name       string `json:"name"`
			Properties struct {
				Status string `json:"status"`
			} `json:"properties"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil {
			t.Fatalf("list-jobs output is not a JSON list: %v\n%s", err, r.stdout)
		}
		var out []string
		for _, j := range jobs {
			if j.Properties.Status == "" {
				t.Errorf("job %s has no properties.status (the data-plane shape az prints)", j.Name)
			}
			out = append(out, j.Name)
		}
		slices.Sort(out)
		return out
	}
	want := []string{first, second}
	slices.Sort(want)
	if got := names("batch-endpoint", "list-jobs", "-n", endpointName); !slices.Equal(got, want) {
		t.Errorf("list-jobs = %v, want %v", got, want)
	}
	if got := names("batch-endpoint", "list-jobs", "-n", endpointName, "-d", deploymentName); !slices.Equal(got, want) {
		t.Errorf("list-jobs -d %s = %v, want %v", deploymentName, got, want)
	}

	if got := names("batch-deployment", "list-jobs", "-e", endpointName, "-n", deploymentName); !slices.Equal(got, want) {
		t.Errorf("batch-deployment list-jobs = %v, want %v", got, want)
	}

	for _, args := range [][]string{
		{"batch-endpoint", "list-jobs", "-n", "nope"},
		{"batch-endpoint", "list-jobs", "-n", endpointName, "-d", "green"},
		// Answered by the data plane's 404 (no ARM lookup first, as az).
		{"batch-deployment", "list-jobs", "-e", endpointName, "-n", "green"},
		{"batch-deployment", "list-jobs", "-e", "nope", "-n", deploymentName},
	} {
		if r := e.ml(nil, args...); r.code != 3 {
			t.Errorf("ml %s: want exit 3, got %s", strings.Join(args, " "), r)
		}
	}
}
