package localtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestJobShowWebAndChildren: `ml job show --web` prints the job as usual
// and the job's page on stderr; the local server serves that page to a
// browser (no bearer token) and to nothing else; `ml job list
// --parent-job-name` lists the batchscoring step, as on Azure.
func TestJobShowWebAndChildren(t *testing.T) {
	e := newEnv(t)
	job := e.invoke(map[string]string{"a.csv": "1\n"})
	e.waitStatus(job, "Completed")
	other := e.invoke(map[string]string{"b.csv": "2\n"})
	e.waitStatus(other, "Completed")

	r := e.run("job", "show", "-n", job, "--web", "--query", "status", "-o", "tsv")
	if strings.TrimSpace(r.stdout) != "Completed" {
		t.Errorf("stdout = %q, want the job as without --web", r.stdout)
	}
	m := regexp.MustCompile(`Web view of job ` + regexp.QuoteMeta(job) + `: (http://\S+)`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr lacks the job's URL:\n%s", r.stderr)
	}
	page := m[1]
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/runs/"+job || !strings.HasSuffix(u.Query().Get("wsid"), "/workspaces/"+e.client.T.Workspace) {
		t.Errorf("URL %s, want /runs/<job>?wsid=<workspace id> as studio's", page)
	}
	if strings.Contains(page, e.srv.Token()) {
		t.Errorf("the URL carries the server's token: %s", page)
	}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u) // as a browser: no Authorization header
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(body)
	}
	code, body := get(page)
	if code != http.StatusOK || !strings.Contains(body, `<td id="status">Completed</td>`) || !strings.Contains(body, job+"_batchscoring") {
		t.Errorf("page: %d\n%s", code, body)
	}
	// The signature opens this job's page only.
	if code, _ := get(strings.Replace(page, "/runs/"+job, "/runs/"+other, 1)); code != http.StatusUnauthorized {
		t.Errorf("another job with this job's signature: %d, want 401", code)
	}
	if code, _ := get(strings.Split(page, "&sig=")[0]); code != http.StatusUnauthorized {
		t.Errorf("no signature: %d, want 401", code)
	}

	// Children, as the public scripts list them.
	if got := strings.TrimSpace(e.run("job", "list", "--parent-job-name", job, "--query", "[].name", "-o", "tsv").stdout); got != job+"_batchscoring" {
		t.Errorf("child names = %q", got)
	}
	r = e.run("job", "list", "-p", job)
	var children []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &children); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(children) != 1 || children[0]["display_name"] != "batchscoring" || children[0]["status"] != "Completed" ||
		children[0]["experiment_name"] != endpointName || !strings.HasSuffix(children[0]["id"].(string), "/jobs/"+job+"_batchscoring") {
		t.Errorf("children = %v", children)
	}
	if r := e.ml(nil, "job", "list", "--parent-job-name", "no-such-job"); r.code != 3 || !strings.Contains(r.stderr, "no-such-job") {
		t.Errorf("children of a missing job: want exit 3, got %s", r)
	}
	// Archived jobs: none on the local workspace.
	if got := strings.TrimSpace(e.run("job", "list", "--archived-only", "--query", "length(@)", "-o", "tsv").stdout); got != "0" {
		t.Errorf("archived jobs = %s", got)
	}
	if got := strings.TrimSpace(e.run("job", "list", "--include-archived", "--query", "length(@)", "-o", "tsv").stdout); got != "2" {
		t.Errorf("all jobs = %s", got)
	}
}
