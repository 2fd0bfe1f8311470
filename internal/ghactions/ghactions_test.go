package ghactions

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCommandEscapesAsTheRunnerUnescapes(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		msg   string
		want  string
	}{
		{"plain", nil, "job failed", "::error::job failed"},
		{"newlines and percent", nil, "100% done\r\nTraceback:\n  x", "::error::100%25 done%0D%0ATraceback:%0A  x"},
		{"a forged command stays data", nil, "x\n::add-mask::secret", "::error::x%0A::add-mask::secret"},
		{"title escapes : and ,", map[string]string{"title": "job a:b, c"}, "m", "::error title=job a%3Ab%2C c::m"},
		{"properties in GitHub's order", map[string]string{"line": "3", "file": "score.py", "title": "t"}, "m", "::error title=t,file=score.py,line=3::m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Command("error", tt.props, tt.msg); got != tt.want {
				t.Errorf("Command = %q, want %q", got, tt.want)
			}
			if strings.ContainsAny(Command("error", tt.props, tt.msg), "\r\n") {
				t.Error("a workflow command must be one line")
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if FromEnv(getenv, nil) != nil {
		t.Error("outside GitHub Actions there is no workflow")
	}
	env["GITHUB_ACTIONS"] = "1"
	if FromEnv(getenv, nil) != nil {
		t.Error(`GitHub sets GITHUB_ACTIONS=true; other values are not a workflow`)
	}
	env["GITHUB_ACTIONS"], env["GITHUB_STEP_SUMMARY"] = "true", "/x/summary"
	if w := FromEnv(getenv, nil); w == nil || w.SummaryPath != "/x/summary" {
		t.Errorf("FromEnv = %+v, want the summary path", w)
	}
}

func TestSummary(t *testing.T) {
	j := Job{
		Name: "batchjob-1", Endpoint: "heart", Deployment: "blue", Status: "Failed",
		Duration:    83*time.Second + 400*time.Millisecond,
		MiniBatches: &MiniBatches{Total: 4, Succeeded: 3, Failed: 1},
		Outputs:     []Output{{"score", "azureml://datastores/workspaceblobstore/paths/azureml/batchjob-1/score/"}},
		Link:        "https://ml.azure.com/runs/batchjob-1?wsid=/subscriptions/s",
		UserError:   "Traceback:\n  ValueError: bad | row ``` x",
	}
	got := Summary(j)
	want := "### ❌ Batch job `batchjob-1`: Failed\n\n" +
		"| | |\n|---|---|\n" +
		"| Job | `batchjob-1` |\n" +
		"| Endpoint | `heart` |\n" +
		"| Deployment | `blue` |\n" +
		"| Status | Failed |\n" +
		"| Duration | 1m23s |\n" +
		"| Mini-batches | 4 total, 3 succeeded, 1 failed |\n" +
		"| Outputs | `score`: `azureml://datastores/workspaceblobstore/paths/azureml/batchjob-1/score/` |\n" +
		"| Link | [job page](<https://ml.azure.com/runs/batchjob-1?wsid=/subscriptions/s>) |\n\n" +
		"<details><summary>First user error (logs/user/error.txt)</summary>\n\n" +
		"````text\nTraceback:\n  ValueError: bad | row ``` x\n````\n\n</details>\n\n"
	if got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}

	// Empty facts are left out; a cell never breaks the table.
	got = Summary(Job{Name: "j", Status: "Running", Note: "still Running\nafter --timeout 1m"})
	for _, absent := range []string{"Endpoint", "Duration", "Mini-batches", "Outputs", "Link", "details"} {
		if strings.Contains(got, absent) {
			t.Errorf("summary shows empty %s:\n%s", absent, got)
		}
	}
	if !strings.Contains(got, "\nstill Running after --timeout 1m\n") || !strings.HasPrefix(got, "### ⏳") {
		t.Errorf("the note is not one paragraph under the table:\n%s", got)
	}
	if got := code("a|b`c"); got != "`` a\\|b`c ``" {
		t.Errorf("code = %q", got)
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		name, status, note, userError string
		miniBatches                   *MiniBatches
		want                          string
	}{
		{"completed: summary only", "Completed", "", "", &MiniBatches{Total: 4, Succeeded: 4}, ""},
		{"completed with failed mini-batches: a warning", "Completed", "", "", &MiniBatches{Total: 4, Succeeded: 3, Failed: 1},
			"::warning title=Batch job j Completed with failed mini-batches::batch job j (endpoint ep, deployment blue) Completed, but 1 of 4 mini-batches failed (error_threshold allowed it)\n"},
		{"failed: an error with the first user error", "Failed", "", "ValueError: x\n  at line 3", nil,
			"::error title=Batch job j Failed::batch job j (endpoint ep, deployment blue) Failed; first user error (logs/user/error.txt):%0AValueError: x%0A  at line 3\n"},
		{"canceled: a warning", "Canceled", "", "", nil, "::warning title=Batch job j Canceled::batch job j (endpoint ep, deployment blue) was Canceled\n"},
		{"timeout: a warning with the note", "Running", "still Running after --timeout 1m", "", nil, "::warning title=Batch job j Running::still Running after --timeout 1m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "summary.md")
			if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var cmds bytes.Buffer
			w := &Workflow{SummaryPath: path, Commands: &cmds}
			j := Job{Name: "j", Endpoint: "ep", Deployment: "blue", Status: tt.status, Note: tt.note, UserError: tt.userError, MiniBatches: tt.miniBatches}
			w.Report(j)
			if cmds.String() != tt.want {
				t.Errorf("commands = %q, want %q", cmds.String(), tt.want)
			}
			data, _ := os.ReadFile(path)
			if string(data) != "earlier step\n"+Summary(j) {
				t.Errorf("the summary is not appended after what was there:\n%s", data)
			}
		})
	}

	t.Run("an unwritable summary is a warning, nothing more", func(t *testing.T) {
		var cmds bytes.Buffer
		w := &Workflow{SummaryPath: filepath.Join(t.TempDir(), "no", "such", "dir", "summary.md"), Commands: &cmds}
		w.Report(Job{Name: "j", Status: "Completed"})
		if !strings.HasPrefix(cmds.String(), "::warning title=ml%3A no job summary::cannot append the job summary") {
			t.Errorf("commands = %q", cmds.String())
		}
	})

	var nilWorkflow *Workflow
	nilWorkflow.Report(Job{Status: "Failed"}) // outside Actions: nothing, no panic
}
