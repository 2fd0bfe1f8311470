package docgen

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReferenceDocsMatchTheCommands fails when a command, flag or help text
// changed without the checked-in reference being regenerated.
func TestReferenceDocsMatchTheCommands(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	diff, err := Diff(filepath.Join("..", ".."), files)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Fatalf("%s and %s are out of date with the commands; run `make docs` and commit the result:\n%s", MarkdownDir, ManDir, diff)
	}
}

// TestPagesAreDeterministic: the pages depend on the commands only, never
// on the day, the machine or its environment.
func TestPagesAreDeterministic(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AZURE_DEFAULTS_GROUP", "from-this-machine")
	first, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	second, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	date := regexp.MustCompile(`\b(19|20)\d\d-\d\d-\d\d\b|\d{1,2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4}|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}`)
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs between two runs", name)
		}
		for _, bad := range []string{"Auto generated", "from-this-machine", home} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
		if m := date.Find(data); m != nil {
			t.Errorf("%s contains a date: %q", name, m)
		}
	}
	for _, want := range []string{MarkdownDir + "/ml_batch-endpoint_invoke.md", ManDir + "/ml-batch-endpoint-invoke.1", MarkdownDir + "/README.md"} {
		if _, ok := first[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
	if th := string(first[ManDir+"/ml-job-stream.1"]); !strings.Contains(th, `.TH "ML-JOB-STREAM" "1" "" "ml" "ml manual"`) {
		t.Errorf("man page header:\n%.300s", th)
	}
}

// TestDiffNamesEveryDrift: a stale, missing or extra page is named.
func TestDiffNamesEveryDrift(t *testing.T) {
	repo := t.TempDir()
	files := map[string][]byte{MarkdownDir + "/ml.md": []byte("new\n"), MarkdownDir + "/ml_job.md": []byte("job\n"), ManDir + "/ml.1": []byte("man\n")}
	if err := Write(repo, files); err != nil {
		t.Fatal(err)
	}
	if diff, err := Diff(repo, files); err != nil || diff != "" {
		t.Fatalf("fresh pages: diff %q, %v", diff, err)
	}
	os.WriteFile(filepath.Join(repo, MarkdownDir, "ml.md"), []byte("old\n"), 0o644)
	os.Remove(filepath.Join(repo, MarkdownDir, "ml_job.md"))
	os.WriteFile(filepath.Join(repo, ManDir, "ml-gone.1"), []byte("x"), 0o644)
	diff, err := Diff(repo, files)
	if err != nil {
		t.Fatal(err)
	}
	want := "extra docs/man/ml-gone.1 (no such command any more)\nmissing docs/reference/ml_job.md\nout of date docs/reference/ml.md"
	if diff != want {
		t.Errorf("diff:\n%s\nwant:\n%s", diff, want)
	}
}
