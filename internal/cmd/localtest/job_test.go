package localtest

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

func TestJobShowAndList(t *testing.T) {
	e := newEnv(t)
	first := e.invoke(map[string]string{"a.csv": "1\n"})
	e.waitStatus(first, "Completed")
	second := e.invoke(map[string]string{"b.csv": "2\n"})
	e.waitStatus(second, "Completed")

	if got := strings.TrimSpace(e.run("job", "show", "-n", first, "--query", "status", "-o", "tsv").stdout); got != "Completed" {
		t.Errorf("job show --query status = %q, want Completed", got)
	}
	if got := strings.TrimSpace(e.run("job", "show", "-n", first, "--query", "experiment_name", "-o", "tsv").stdout); got != endpointName {
		t.Errorf("job show --query experiment_name = %q, want the endpoint %q", got, endpointName)
	}
	if got := strings.TrimSpace(e.run("job", "show", "-n", first, "--query", `tags."azureml.batchrun"`, "-o", "tsv").stdout); got != "true" {
		t.Errorf("job show tags.azureml.batchrun = %q, want true", got)
	}
	if r := e.ml(nil, "job", "show", "-n", "no-such-job"); r.code != 3 || !strings.Contains(r.stderr, "no-such-job") {
		t.Errorf("job show of a missing job: want exit 3 naming it, got %s", r)
	}

	tests := []struct {
		name      string
		args      []string
		wantCount int
		warns     bool
	}{
		{"default lists both", []string{"job", "list"}, 2, false},
		{"max results cuts and warns", []string{"job", "list", "-r", "1"}, 1, true},
		{"exact count does not warn", []string{"job", "list", "--max-results", "2"}, 2, false},
		{"all results wins over max", []string{"job", "list", "-r", "1", "--all-results"}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(append(tt.args, "-o", "json")...)
			var jobs []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &jobs); err != nil {
				t.Fatalf("not a JSON list: %v\n%s", err, r.stdout)
			}
			if len(jobs) != tt.wantCount {
				t.Errorf("%d jobs, want %d", len(jobs), tt.wantCount)
			}
			for _, j := range jobs {
				if j["status"] != "Completed" || j["name"] == "" {
					t.Errorf("job entry without az's keys: %v", j)
				}
			}
			if warned := strings.Contains(r.stderr, "Displaying top 1 results"); warned != tt.warns {
				t.Errorf("warning shown = %v, want %v; stderr: %q", warned, tt.warns, r.stderr)
			}
		})
	}
}

func TestJobStream(t *testing.T) {
	e := newEnv(t)
	ok := e.invoke(map[string]string{"a.csv": "1\n", "b.csv": "2\n"})
	failed := e.invoke(map[string]string{"fail.csv": "x\n"})

	t.Run("completing job exits 0", func(t *testing.T) {
		r := e.ml(nil, "job", "stream", "-n", ok)
		if r.code != 0 {
			t.Fatalf("want exit 0, got %s", r)
		}
		// On stdout, as az prints it, so `ml job stream > log` captures it.
		for _, want := range []string{"RunId: " + ok, "Status: Completed", "Execution Summary"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if r.stderr != "" {
			t.Errorf("stream printed on stderr: %q", r.stderr)
		}
	})

	t.Run("failing job exits 5 with the user error", func(t *testing.T) {
		r := e.ml(nil, "job", "stream", "-n", failed)
		if r.code != 5 {
			t.Fatalf("want exit 5, got %s", r)
		}
		if !strings.Contains(r.stdout, userError) || !strings.Contains(r.stdout, "Status: Failed") {
			t.Errorf("stdout lacks the status or the user error %q:\n%s", userError, r.stdout)
		}
		// The failure itself is an error, on stderr, as az raises it.
		if !strings.Contains(r.stderr, "ERROR: job "+failed+" Failed") {
			t.Errorf("stderr lacks the failure: %q", r.stderr)
		}
	})

	t.Run("already terminal job prints its summary", func(t *testing.T) {
		e.waitStatus(ok, "Completed")
		r := e.ml(nil, "job", "stream", "-n", ok)
		if r.code != 0 || !strings.Contains(r.stdout, "Status: Completed") {
			t.Errorf("want exit 0 and the summary, got %s", r)
		}
		e.waitStatus(failed, "Failed")
		if r := e.ml(nil, "job", "stream", "-n", failed); r.code != 5 {
			t.Errorf("a finished failed job streams to exit 5, got %s", r)
		}
	})

	t.Run("jsonl events end with the summary", func(t *testing.T) {
		r := e.ml(nil, "job", "stream", "-n", failed, "-o", "jsonl")
		if r.code != 5 {
			t.Fatalf("want exit 5, got %s", r)
		}
		var last map[string]any
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		lines := 0
		for sc.Scan() {
			lines++
			last = nil
			if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
				t.Fatalf("line %d is not JSON: %v: %q", lines, err, sc.Text())
			}
		}
		if last["type"] != "summary" || last["status"] != "Failed" || !strings.Contains(last["userError"].(string), userError) {
			t.Errorf("last line is not the failed summary with the user error: %v", last)
		}
	})

	t.Run("a job completed with failed mini-batches exits 0 and says so", func(t *testing.T) {
		partial := e.invoke(map[string]string{"partial.csv": "1\n", "c.csv": "3\n"})
		r := e.ml(nil, "job", "stream", "-n", partial)
		want := "WARNING: job " + partial + " Completed, but 1 of 2 mini-batches failed (error_threshold allowed it)"
		if r.code != 0 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "ml job download -n "+partial+" --all") {
			t.Errorf("want exit 0 and %q in the summary, got %s", want, r)
		}
		if r := e.ml(nil, "job", "stream", "-n", ok); strings.Contains(r.stdout, "WARNING") {
			t.Errorf("a job with no failed mini-batch got a warning:\n%s", r.stdout)
		}
		w := e.ml(nil, "batch-endpoint", "invoke", "-n", endpointName, "--input", writeFiles(t, t.TempDir(), map[string]string{"partial-2.csv": "1\n"}), "--wait", "--query", "name", "-o", "tsv")
		if w.code != 0 || !strings.Contains(w.stderr, "Completed, but 1 of 2 mini-batches failed") {
			t.Errorf("invoke --wait: want exit 0 and the warning on stderr, got %s", w)
		}
	})

	t.Run("missing job exits 3", func(t *testing.T) {
		if r := e.ml(nil, "job", "stream", "-n", "no-such-job"); r.code != 3 {
			t.Errorf("want exit 3, got %s", r)
		}
	})
}

func TestJobCancel(t *testing.T) {
	e := newEnv(t)
	held := e.invoke(map[string]string{"hold.csv": "1\n"})
	e.waitStatus(held, "Running")

	r := e.run("job", "cancel", "-n", held)
	if r.stdout != "" {
		t.Errorf("cancel printed on stdout (az prints nothing): %q", r.stdout)
	}
	if got := strings.TrimSpace(e.run("job", "show", "-n", held, "--query", "status", "-o", "tsv").stdout); got != "Canceled" {
		t.Errorf("status after cancel = %q, want Canceled", got)
	}
	if !strings.Contains(r.stderr, "Canceled") {
		t.Errorf("cancel does not report the final status on stderr: %q", r.stderr)
	}

	again := e.ml(nil, "job", "cancel", "-n", held)
	if again.code != 0 || !strings.Contains(again.stderr, "already ended (Canceled)") {
		t.Errorf("cancel of an ended job: want exit 0 saying so, got %s", again)
	}
	if r := e.ml(nil, "job", "stream", "-n", held); r.code != 6 {
		t.Errorf("stream of a canceled job: want exit 6, got %s", r)
	}
	if r := e.ml(nil, "job", "cancel", "-n", "no-such-job"); r.code != 3 {
		t.Errorf("cancel of a missing job: want exit 3, got %s", r)
	}
}

// TestFailedJobShowAndDownload: `job show` gives a failed job's reason, and
// `job download` of a failed job without output says that it failed and
// where its error is, rather than blaming the deployment's output action.
func TestFailedJobShowAndDownload(t *testing.T) {
	e := newEnv(t)
	failed := e.invoke(map[string]string{"fail.csv": "x\n"})
	ok := e.invoke(map[string]string{"a.csv": "1\n"})
	e.waitStatus(failed, "Failed")
	e.waitStatus(ok, "Completed")
	const reason = "the error threshold was exceeded: 1 of 1 mini-batches failed"

	t.Run("show has the reason", func(t *testing.T) {
		got := e.run("job", "show", "-n", failed, "--query", "error.message", "-o", "tsv").stdout
		if !strings.Contains(got, reason) {
			t.Errorf("job show --query error.message = %q, want it to contain %q", got, reason)
		}
	})

	t.Run("a completed job has no error", func(t *testing.T) {
		var view map[string]any
		if err := json.Unmarshal([]byte(e.run("job", "show", "-n", ok).stdout), &view); err != nil {
			t.Fatal(err)
		}
		if _, has := view["error"]; has || view["status"] != "Completed" {
			t.Errorf("completed job view has status %v and error %v", view["status"], view["error"])
		}
	})

	t.Run("download says the job failed and where its error is", func(t *testing.T) {
		r := e.ml(nil, "job", "download", "-n", failed, "-p", t.TempDir())
		if r.code != 1 {
			t.Fatalf("want exit 1, got %s", r)
		}
		for _, want := range []string{"job " + failed + " failed, so output score", reason, "logs/user/error.txt", "ml job stream -n " + failed} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "summary_only") {
			t.Errorf("a failed job's download blames summary_only:\n%s", r.stderr)
		}
	})
}
