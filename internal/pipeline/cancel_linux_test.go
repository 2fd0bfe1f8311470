//go:build linux

package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCancelKillsTheStepsProcessGroup(t *testing.T) {
	w := newWorkspace(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The step starts a background sleeper (same process group) and waits.
	comp := command("sleepy", "sleep 300 & echo $! > "+pidFile+"; wait", nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			if data, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(data), "\n") {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	res, err := w.runWith(t, ctx, Job{Name: "cancel-me", Component: comp}, w.options())
	if !errors.Is(err, context.Canceled) || res.Status != StatusCanceled {
		t.Fatalf("Run = %v, %v; want Canceled wrapping context.Canceled", res.Status, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(readFile(t, pidFile)))
	if pid <= 0 {
		t.Fatal("no pid")
	}
	// SIGKILL is asynchronous and the orphan is reaped by init: wait
	// (bounded) until it is gone or a zombie.
	for i := 0; alive(pid); i++ {
		if i > 250 {
			t.Fatalf("the step's background process %d is still alive after cancel", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || !strings.Contains(string(stat), ") Z ")
}
