package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// workspace is a test's stand-in for the local workspace: job folders
// under jobs/ and default outputs under data/azureml/<job>/<output>/.
type workspace struct {
	root string
	mu   sync.Mutex
	// events are the OnStep reports, in order.
	events []StepRun
}

func newWorkspace(t testing.TB) *workspace {
	t.Helper()
	return &workspace{root: t.TempDir()}
}

func (w *workspace) jobDir(job string) string { return filepath.Join(w.root, "jobs", job) }

func (w *workspace) outputDir(job, output string) (string, error) {
	return filepath.Join(w.root, "data", "azureml", job, output), nil
}

func (w *workspace) options() Options {
	return Options{
		JobDir:    w.jobDir,
		OutputDir: w.outputDir,
		OnStep: func(s StepRun) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.events = append(w.events, s)
		},
	}
}

// statuses lists the reported statuses of the step at path.
func (w *workspace) statuses(path string) []Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Status
	for _, e := range w.events {
		if e.Path == path {
			out = append(out, e.Status)
		}
	}
	return out
}

// run runs job in w and fails the test on a planning error.
func (w *workspace) run(t testing.TB, job Job) (Result, error) {
	t.Helper()
	return w.runWith(t, context.Background(), job, w.options())
}

func (w *workspace) runWith(t testing.TB, ctx context.Context, job Job, opts Options) (Result, error) {
	t.Helper()
	res, err := Run(ctx, job, opts)
	if err != nil {
		if _, ok := err.(*JobError); !ok {
			t.Fatalf("Run: planning failed: %v", err)
		}
	}
	return res, err
}

// step returns the step at path from a result.
func step(t testing.TB, res Result, path string) StepRun {
	t.Helper()
	for _, s := range res.Steps {
		if s.Path == path {
			return s
		}
	}
	t.Fatalf("no step %q in %+v", path, res.Steps)
	return StepRun{}
}

// writeFiles creates files (path → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// command is a command component.
func command(name, cmd string, inputs, outputs map[string]Port) *Component {
	return &Component{Name: name, Type: TypeCommand, Command: cmd, Inputs: inputs, Outputs: outputs}
}

func pipelineOf(name string, inputs, outputs map[string]Port, jobs map[string]*Step) *Component {
	return &Component{Name: name, Type: TypePipeline, Inputs: inputs, Outputs: outputs, Jobs: jobs}
}

func folder() Port { return Port{Type: "uri_folder"} }

func bind(s string) Binding { return Binding{Ref: s} }

func contains(t testing.TB, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%q does not contain %q", got, want)
	}
}
