package localws

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A runtime replaces files like logs/job_progress_overview.txt through a
// hidden temporary file; a listing taken between the write and the rename
// must not offer that half-written copy as a log to tail.
func TestLogFilesSkipHiddenTemporaries(t *testing.T) {
	e := newEnv(t)
	logs := filepath.Join(e.srv.jobDir("job1"), "logs")
	for name, body := range map[string]string{
		"user/stdout/worker.txt":             "line\n",
		"job_progress_overview.txt":          "Status: Running\n",
		".job_progress_overview.txt.tmp":     "Status: Runn",
		"user/stdout/.scratch-being-written": "x",
	} {
		p := filepath.Join(logs, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.srv.logFiles(&jobRecord{Name: "job1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"logs/job_progress_overview.txt", "logs/user/stdout/worker.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("logFiles = %q, want %q", got, want)
	}
}
