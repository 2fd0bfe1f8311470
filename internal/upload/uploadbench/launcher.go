package uploadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// Launcher runs commands through the rsslaunch helper and measures them.
type Launcher struct {
	path string // the rsslaunch binary
	dir  string // where reports are written
	seq  atomic.Int64
}

// Measurement is what one run of a command cost.
type Measurement struct {
	// Wall is the time from the command's start to its exit, as seen by
	// rsslaunch (its own start-up is not counted).
	Wall time.Duration
	// PeakRSS is the command's peak resident set size in bytes (at least
	// rsslaunch's own, a couple of MiB).
	PeakRSS int64
	// Stdout is everything the command printed on stdout.
	Stdout []byte
}

// launchReport mirrors the JSON written by rsslaunch.
type launchReport struct {
	WallNanos   int64 `json:"wallNanos"`
	MaxRSSBytes int64 `json:"maxRSSBytes"`
	ExitCode    int   `json:"exitCode"`
}

// BuildLauncher compiles rsslaunch (CGO disabled, standard library only)
// into dir, which also receives the per-run reports. It runs `go build`, so
// the go command must be on PATH (go test puts it there). Only Unix systems
// report a peak RSS; elsewhere it fails.
func BuildLauncher(ctx context.Context, dir string) (*Launcher, error) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil, fmt.Errorf("uploadbench: peak RSS is read from getrusage, which %s does not have; run the benchmark on Linux or macOS", runtime.GOOS)
	}
	pkgDir, err := sourceDir()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "rsslaunch")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./rsslaunch")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("uploadbench: build rsslaunch with `go build` in %s: %v\n%s", pkgDir, err, out)
	}
	return &Launcher{path: bin, dir: dir}, nil
}

// sourceDir is this package's folder. Tests run in it; the check keeps a
// wrong working folder from building something else.
func sourceDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(wd, "rsslaunch", "main.go")); err != nil {
		return "", fmt.Errorf("uploadbench: %s has no rsslaunch/main.go: run the benchmark with go test from the uploadbench package", wd)
	}
	return wd, nil
}

// Run runs name with args and env (nil means this process's environment)
// and measures it. A non-zero exit is an error that quotes the end of the
// command's stderr.
func (l *Launcher) Run(ctx context.Context, env []string, name string, args ...string) (*Measurement, error) {
	reportPath := filepath.Join(l.dir, fmt.Sprintf("report-%d.json", l.seq.Add(1)))
	defer os.Remove(reportPath)
	cmd := exec.CommandContext(ctx, l.path, append([]string{reportPath, name}, args...)...)
	cmd.Env = env
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 4 * KiB}
	cmd.Stdout = &stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", name, err, stderr)
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return nil, fmt.Errorf("%s: rsslaunch wrote no report: %v", name, err)
	}
	var rep launchReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: rsslaunch report %q: %v", name, data, err)
	}
	if rep.ExitCode != 0 {
		return nil, fmt.Errorf("%s exited with code %d: %s", name, rep.ExitCode, stderr)
	}
	return &Measurement{Wall: time.Duration(rep.WallNanos), PeakRSS: rep.MaxRSSBytes, Stdout: stdout.Bytes()}, nil
}

// tailBuffer keeps the last max bytes written: the end of a failing
// command's stderr, where its error is.
type tailBuffer struct {
	max int
	buf []byte
	cut bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.cut = true
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return "(no stderr)"
	}
	if t.cut {
		return "…" + s
	}
	return s
}
