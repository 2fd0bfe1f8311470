package localtest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// filesUnder reads every regular file under dir (slash paths relative to it).
func filesUnder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return out
}

func TestJobDownload(t *testing.T) {
	e := newEnv(t)
	done := e.invoke(map[string]string{"a.csv": "1\n", "b.csv": "2\n", "big.csv": "3\n"})
	e.waitStatus(done, "Completed")
	wrote := e.runner.outputs(done)
	if len(wrote) != 3 {
		t.Fatalf("runner wrote %d files, want predictions.csv, details/rows.txt and big.bin", len(wrote))
	}

	t.Run("model job output lands in the download path", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "results") // created by the download
		r := e.run("job", "download", "-n", done, "--download-path", dir)
		if r.stdout != "" {
			t.Errorf("stdout not empty without -o: %q", r.stdout)
		}
		if !strings.Contains(r.stderr, "3 files") || !strings.Contains(r.stderr, done) {
			t.Errorf("stderr summary lacks the file count or the job: %q", r.stderr)
		}
		got := filesUnder(t, dir)
		if len(got) != len(wrote) {
			t.Errorf("downloaded %d files, want %d: %v", len(got), len(wrote), keys(got))
		}
		for rel, want := range wrote {
			if !bytes.Equal(got[rel], want) {
				t.Errorf("%s: downloaded %d bytes differ from the %d the runner wrote", rel, len(got[rel]), len(want))
			}
		}
	})

	t.Run("again over existing files, with -o json", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "predictions.csv"), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := e.run("job", "download", "-n", done, "-p", dir, "--output-name", "score", "-o", "json")
		var res struct {
			Files int   `json:"fileCount"`
			Bytes int64 `json:"bytes"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("-o json output: %v\n%s", err, r.stdout)
		}
		var total int64
		for _, c := range wrote {
			total += int64(len(c))
		}
		if res.Files != 3 || res.Bytes != total {
			t.Errorf("result says %d files, %d bytes; want 3, %d", res.Files, res.Bytes, total)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "predictions.csv")); !bytes.Equal(got, wrote["predictions.csv"]) {
			t.Errorf("existing predictions.csv was not replaced: %q", got)
		}
	})

	t.Run("running job is refused", func(t *testing.T) {
		held := e.invoke(map[string]string{"hold.csv": "1\n"})
		e.waitStatus(held, "Running")
		defer e.run("job", "cancel", "-n", held)
		dir := t.TempDir()
		r := e.ml(nil, "job", "download", "-n", held, "-p", dir)
		want := "This job is in state Running. Download is allowed only in states ['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused']"
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("want exit 1 with the SDK's message, got %s", r)
		}
		if got := filesUnder(t, dir); len(got) != 0 {
			t.Errorf("a refused download wrote files: %v", keys(got))
		}
	})

	t.Run("unknown output name", func(t *testing.T) {
		r := e.ml(nil, "job", "download", "-n", done, "-p", t.TempDir(), "--output-name", "nope")
		if r.code != 2 || !strings.Contains(r.stderr, "--output-name nope") || !strings.Contains(r.stderr, "score") {
			t.Errorf("want exit 2 naming the flag and the real outputs, got %s", r)
		}
	})

	t.Run("output without files is an error", func(t *testing.T) {
		empty := e.invoke(map[string]string{"empty.csv": "1\n"})
		e.waitStatus(empty, "Completed")
		r := e.ml(nil, "job", "download", "-n", empty, "-p", t.TempDir())
		if r.code != 1 || !strings.Contains(r.stderr, empty) || !strings.Contains(r.stderr, "score") {
			t.Errorf("want exit 1 naming the job and the output, got %s", r)
		}
	})

	t.Run("missing job exits 3", func(t *testing.T) {
		if r := e.ml(nil, "job", "download", "-n", "no-such-job", "-p", t.TempDir()); r.code != 3 {
			t.Errorf("want exit 3, got %s", r)
		}
	})

	t.Run("bad concurrency setting", func(t *testing.T) {
		r := e.ml(map[string]string{"ML_DOWNLOAD_CONCURRENCY": "lots"}, "job", "download", "-n", done, "-p", t.TempDir())
		if r.code != 2 || !strings.Contains(r.stderr, "ML_DOWNLOAD_CONCURRENCY") {
			t.Errorf("want exit 2 naming the variable, got %s", r)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
