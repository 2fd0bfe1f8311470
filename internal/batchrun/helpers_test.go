package batchrun

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testPython is an interpreter that imports modules: Debian's python3 with
// python3-pandas and python3-sklearn, which `make test` installs (as root) or
// asks for. ML_TEST_PANDAS_PYTHON (`make test` passes its TEST_PYTHON)
// names another.
func testPython(t testing.TB, modules ...string) string {
	t.Helper()
	py := os.Getenv("ML_TEST_PANDAS_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import %s (%v: %s): install python3-pandas and python3-sklearn (apt-get install python3-pandas python3-sklearn; `make test` does as root) or set ML_TEST_PANDAS_PYTHON", py, strings.Join(modules, ", "), err, out)
	}
	return py
}

// writeFile creates path (and its folders) with content.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// codeDir returns a fresh code folder holding script as score.py.
func codeDir(t testing.TB, script string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "code")
	writeFile(t, filepath.Join(dir, "score.py"), script)
	return dir
}

// inputDir returns a folder with one file per name (names may contain
// slashes); each file holds its own name.
func inputDir(t testing.TB, names ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "input")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		writeFile(t, filepath.Join(dir, name), name)
	}
	return dir
}

// newJob returns a job over inputs with fresh output and job folders.
func newJob(t testing.TB, inputs ...string) Job {
	t.Helper()
	root := t.TempDir()
	return Job{Name: t.Name(), Inputs: inputs, OutputDir: filepath.Join(root, "out"), JobDir: filepath.Join(root, "job")}
}

// deployment returns a deployment of script with a test-sized timeout.
func deployment(t testing.TB, script string) Deployment {
	return Deployment{CodeDir: codeDir(t, script), ScoringScript: "score.py"}
}

// recorder collects the progress reports of one job.
type recorder struct {
	mu       sync.Mutex
	statuses []Status
	reports  []Progress
}

func (r *recorder) report(p Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.statuses) == 0 || r.statuses[len(r.statuses)-1] != p.Status {
		r.statuses = append(r.statuses, p.Status)
	}
	r.reports = append(r.reports, p)
}

func (r *recorder) statusList() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.statuses)
}

// runJob runs j on d and records its progress.
func runJob(t testing.TB, d Deployment, j Job) (Result, error, *recorder) {
	t.Helper()
	rec := &recorder{}
	res, err := Run(context.Background(), d, j, rec.report)
	return res, err, rec
}

// readLines returns the lines of a text file; a missing file is a failure.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimRight(string(data), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

func readText(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readPIDs reads one process id per line.
func readPIDs(t testing.TB, path string) []int {
	t.Helper()
	var pids []int
	for _, line := range readLines(t, path) {
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("bad pid line %q in %s", line, path)
		}
		pids = append(pids, pid)
	}
	return pids
}

// processAlive reports whether pid is a live (not zombie) process.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	// The state follows the parenthesised command name.
	if i := strings.LastIndexByte(line, ')'); i >= 0 && i+2 < len(line) {
		state := line[i+2]
		return state != 'Z' && state != 'X'
	}
	return true
}

// assertAllGone fails for a process still alive a while after the job
// ended. SIGKILL is delivered asynchronously: a killed process can still be
// scheduled for a moment on a loaded machine, so each gets a grace period;
// one that outlives it was never killed.
func assertAllGone(t testing.TB, pids []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(pid) {
			t.Errorf("process %d is still running after the job ended", pid)
		}
	}
}

func assertStatuses(t testing.TB, rec *recorder, want ...Status) {
	t.Helper()
	if got := rec.statusList(); !slices.Equal(got, want) {
		t.Errorf("status sequence = %v, want %v", got, want)
	}
}

// waitForLines waits until path has at least n lines: a worker the test
// needs has started. It is not a timing assertion: it fails only when the
// worker never comes.
func waitForLines(t testing.TB, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && strings.Count(string(data), "\n") >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never reached %d lines", path, n)
}
