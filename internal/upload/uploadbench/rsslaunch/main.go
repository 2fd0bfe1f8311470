//go:build unix

// Command rsslaunch runs one command and records its wall time and peak
// resident set size, for the upload comparison benchmark (package
// uploadbench builds it into a temporary folder; it is not shipped).
//
//	rsslaunch REPORT_FILE COMMAND [ARG...]
//
// The command inherits stdout, stderr and the environment; stdin is empty.
// REPORT_FILE receives one JSON object (see report); rsslaunch exits 0 once
// it is written, whatever the command's exit code, which is in the report.
// Usage errors and a command that cannot start exit 2.
//
// Why a separate, tiny program: on Linux, Go starts children with
// CLONE_VM|CLONE_VFORK, and at exec the kernel folds the address space it
// leaves — the parent's — into the child's ru_maxrss. A command started
// straight from the benchmark process would report the benchmark's own peak
// (hundreds of MiB after generating data and serving uploads). Started from
// this program, which imports only the standard library, the figure is the
// command's peak, or rsslaunch's own couple of MiB when the command stays
// below that.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// report is written to REPORT_FILE. uploadbench decodes the same fields.
type report struct {
	// WallNanos is the time from starting the command to its exit.
	WallNanos int64 `json:"wallNanos"`
	// MaxRSSBytes is the command's peak resident set size.
	MaxRSSBytes int64 `json:"maxRSSBytes"`
	// ExitCode is the command's exit code (-1 when a signal ended it).
	ExitCode int `json:"exitCode"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rsslaunch REPORT_FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	rep, err := run(os.Args[2], os.Args[3:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "rsslaunch: %v\n", err)
		os.Exit(2)
	}
	data, _ := json.Marshal(rep)
	if err := os.WriteFile(os.Args[1], data, 0o600); err != nil {
		fmt.Fprintf(os.Stderr, "rsslaunch: write the report: %v\n", err)
		os.Exit(2)
	}
}

func run(name string, args []string) (report, error) {
	// The parent-death signal is tied to the thread that started the child:
	// keep this goroutine on one thread until the child is gone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	cmd := exec.Command(name, args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return report{}, err
	}
	err := cmd.Wait()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return report{}, err
	}
	rep := report{WallNanos: wall.Nanoseconds(), ExitCode: cmd.ProcessState.ExitCode()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rep.MaxRSSBytes = maxRSSBytes(ru.Maxrss)
	}
	return rep, nil
}

// maxRSSBytes converts ru_maxrss, which macOS gives in bytes and the other
// systems in KiB.
func maxRSSBytes(v int64) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return v
	}
	return v * 1024
}
