package localtest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/app"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestInterruptedUploadCreatesNoJob cancels an invoke (as Ctrl-C does)
// while its upload is under way: ml exits 130, no job exists, and the
// partial upload is not taken as complete, so the next invoke uploads
// again instead of skipping.
func TestInterruptedUploadCreatesNoJob(t *testing.T) {
	e := newEnv(t)
	in := t.TempDir()
	chunk := bytes.Repeat([]byte("x"), 256<<10)
	for i := 0; i < 120; i++ {
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("part-%03d", i)), chunk, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	slow := map[string]string{"ML_UPLOAD_FILE_CONCURRENCY": "1"}

	// Cancel as soon as the first uploaded file lands in the workspace's
	// blob folder.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if uploadStarted(e.dir) {
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	ios, _, _, errOut := iostreams.Test()
	code := app.Run(ctx, []string{"batch-endpoint", "invoke", "-n", endpointName, "--input", in}, ios, func(k string) string {
		if v, ok := slow[k]; ok {
			return v
		}
		return e.getenv(k)
	})
	if code != app.ExitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, app.ExitInterrupted, errOut)
	}
	if !strings.Contains(errOut.String(), "no job was created") {
		t.Errorf("stderr does not say no job was created:\n%s", errOut)
	}
	if jobs := strings.TrimSpace(e.run("batch-endpoint", "list-jobs", "-n", endpointName, "--query", "length(@)", "-o", "tsv").stdout); jobs != "0" {
		t.Fatalf("%s jobs after an interrupted upload, want 0", jobs)
	}

	// The next invoke must not skip the half-done upload.
	r := e.ml(nil, "batch-endpoint", "invoke", "-n", endpointName, "--input", in, "--query", "name", "-o", "tsv")
	if r.code != 0 {
		t.Fatalf("second invoke: %s", r)
	}
	if strings.Contains(r.stderr, "skipped") || !strings.Contains(r.stderr, "Uploaded") {
		t.Errorf("second invoke must upload again, stderr:\n%s", r.stderr)
	}
}

// uploadStarted reports whether any file has landed under a LocalUpload
// folder of the workspace's blob storage.
func uploadStarted(dir string) bool {
	found := false
	_ = filepath.WalkDir(filepath.Join(dir, "blob"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, "LocalUpload") && strings.Contains(p, "part-") {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// TestInterruptWhileHashing cancels an invoke (as Ctrl-C does) while it
// reads a large input for az's content hash, which takes seconds for a
// big folder: ml stops reading and exits 130 instead of finishing the
// pass, and nothing is uploaded or created. A dry run does nothing else,
// so it shows that the read itself stops; the real invoke reads beside
// its workspace checks.
func TestInterruptWhileHashing(t *testing.T) {
	e := newEnv(t)
	// 8 GiB of zeros, sparse: writing it costs nothing, hashing it takes
	// seconds at any MD5 speed.
	big := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, tc := range []struct {
		name string
		args []string
		// stderr is what the interrupted command must say.
		stderr string
	}{
		{"dry run", []string{"--dry-run"}, "interrupted while reading " + big + " for its content hash; nothing was uploaded and no job was created"},
		{"invoke", nil, "no job was created"},
		{"data create", nil, "interrupted while reading " + big + " for its content hash; it was not uploaded and nothing more was registered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(200*time.Millisecond, cancel)
			ios, _, _, errOut := iostreams.Test()
			args := append([]string{"batch-endpoint", "invoke", "-n", endpointName, "--input", big, "--no-cache"}, tc.args...)
			if tc.name == "data create" {
				// With a version, nothing is asked before the hash pass.
				args = []string{"data", "create", "-n", "big", "--version", "1", "--path", big, "--type", "uri_file", "--no-cache"}
			}
			code := app.Run(ctx, args, ios, e.getenv)
			if code != app.ExitInterrupted {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, app.ExitInterrupted, errOut)
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, errOut)
			}
		})
	}
	if jobs := strings.TrimSpace(e.run("batch-endpoint", "list-jobs", "-n", endpointName, "--query", "length(@)", "-o", "tsv").stdout); jobs != "0" {
		t.Errorf("%s jobs after interrupted invokes, want 0", jobs)
	}
	if r := e.ml(nil, "data", "show", "-n", "big", "--version", "1"); r.code != app.ExitNotFound {
		t.Errorf("data asset big after an interrupted create: %s", r)
	}
	if uploadStarted(e.dir) || blobExists(e.dir, "big.bin") {
		t.Error("an interrupted hash pass uploaded data")
	}
}

// blobExists reports whether a blob whose path contains name is stored
// in the workspace's blob folder.
func blobExists(dir, name string) bool {
	found := false
	_ = filepath.WalkDir(filepath.Join(dir, "blob"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, name) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}
