package uploadbench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// newRunner builds the launcher and points the children at this test
// binary, as the benchmark does.
func newRunner(tb testing.TB) *Runner {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	return &Runner{Launcher: newLauncher(tb), Child: self}
}

// smallTree is a data set quick enough for the test suite.
func smallTree(t *testing.T) *Tree {
	t.Helper()
	ds := Dataset{Name: "small", Files: 40, MinSize: 100, MaxSize: 512 * KiB, Seed: 11}
	tree, err := ds.Generate(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestUploadInChildAndVerify runs the benchmark's ml side once per target
// on a small tree: the child uploads, the checks pass, a second upload is
// skipped, and the checks catch a wrong count, a wrong size and a missing
// blob.
func TestUploadInChildAndVerify(t *testing.T) {
	ctx := context.Background()
	r := newRunner(t)
	tree := smallTree(t)
	inst := azurite.StartLoose(t)
	targets := []struct {
		name string
		open func() (*Destination, error)
	}{
		{"azurite", func() (*Destination, error) {
			return NewContainerDestination(ctx, inst.ServiceURL, inst.Account, inst.Key)
		}},
		{"local", func() (*Destination, error) { return NewLocalDestination(ctx, t.TempDir()) }},
	}
	for _, tgt := range targets {
		t.Run(tgt.name, func(t *testing.T) {
			dst, err := tgt.open()
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := dst.Close(ctx); err != nil {
					t.Errorf("close: %v", err)
				}
			}()
			m, rep, err := r.Upload(ctx, tree, dst)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckUpload(ctx, tree, dst, rep); err != nil {
				t.Fatal(err)
			}
			if m.PeakRSS <= 0 || m.PeakRSS > MaxPeakRSS {
				t.Errorf("peak RSS %d bytes, want between 0 and %d", m.PeakRSS, MaxPeakRSS)
			}
			if rep.PlanNanos <= 0 || rep.UploadNanos <= 0 {
				t.Errorf("report %+v lacks the plan and upload times", rep)
			}

			_, again, err := r.Upload(ctx, tree, dst)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckRerun(tree, again); err != nil {
				t.Error(err)
			}
			if err := CheckUpload(ctx, tree, dst, again); err == nil {
				t.Error("CheckUpload accepted a skipped upload")
			}
			if err := CheckRerun(tree, rep); err == nil {
				t.Error("CheckRerun accepted an upload that sent files")
			}

			wrong := []struct {
				name  string
				files int
				bytes int64
			}{
				{"one file more", tree.Files + 1, tree.Bytes},
				{"one byte less", tree.Files, tree.Bytes - 1},
			}
			for _, w := range wrong {
				if err := VerifyUpload(ctx, dst.Client, rep.RemotePath, w.files, w.bytes); err == nil {
					t.Errorf("VerifyUpload with %s passed", w.name)
				}
			}
			last := rep.RemotePath + "/" + Dataset{}.RelPath(tree.Files-1)
			if _, err := dst.Client.NewBlobClient(last).Delete(ctx, nil); err != nil {
				t.Fatalf("delete %s: %v", last, err)
			}
			if err := VerifyUpload(ctx, dst.Client, rep.RemotePath, tree.Files, tree.Bytes); err == nil {
				t.Error("VerifyUpload passed with a blob missing")
			}
		})
	}
}

func TestCopyAndCheck(t *testing.T) {
	r := newRunner(t)
	tree := smallTree(t)
	dest := filepath.Join(t.TempDir(), "copy")
	m, err := r.Copy(context.Background(), tree, dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCopy(tree, dest); err != nil {
		t.Fatal(err)
	}
	if m.PeakRSS <= 0 {
		t.Errorf("peak RSS %d, want > 0", m.PeakRSS)
	}
	if err := os.Remove(filepath.Join(dest, filepath.FromSlash(Dataset{}.RelPath(0)))); err != nil {
		t.Fatal(err)
	}
	if err := CheckCopy(tree, dest); err == nil {
		t.Error("CheckCopy passed with a file missing")
	}
}

// TestChildErrors: a bad request fails with a message that says what to
// fix, and never repeats the account key.
func TestChildErrors(t *testing.T) {
	const key = "c2VjcmV0LWFjY291bnQta2V5LWRvLW5vdC1wcmludA=="
	dir := t.TempDir()
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"not JSON", `{"source": "x", "key": "` + key + `"`, EnvChild},
		{"no source", `{"containerUrl": "http://127.0.0.1:1/a/c", "account": "a", "key": "` + key + `"}`, "source is empty"},
		{"no destination", `{"source": "` + dir + `"}`, "either containerUrl"},
		{"two destinations", `{"source": "` + dir + `", "localDir": "` + dir + `", "containerUrl": "http://127.0.0.1:1/a/c"}`, "either containerUrl"},
		{"no server running", `{"source": "` + dir + `", "localDir": "` + dir + `"}`, "ml local serve"},
		{"missing source", `{"source": "` + filepath.Join(dir, "nope") + `", "containerUrl": "http://127.0.0.1:1/a/c", "account": "a", "key": "` + key + `"}`, "No such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runChild(context.Background(), tc.raw)
			if err == nil {
				t.Fatal("runChild succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q contains the account key", err)
			}
		})
	}
}

// TestRunChildExitCode: RunChild's contract with the benchmark — exit 1
// and the reason on stderr, nothing on stdout.
func TestRunChildExitCode(t *testing.T) {
	t.Setenv(EnvChild, `{"source": ""}`)
	var stdout, stderr bytes.Buffer
	if code := RunChild(context.Background(), &stdout, &stderr); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "source is empty") {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
