package uploadbench

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
)

// newLauncher builds rsslaunch for one test or benchmark.
func newLauncher(tb testing.TB) *Launcher {
	tb.Helper()
	l, err := BuildLauncher(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// TestLauncherMeasuresTheChild: the peak RSS reported is the command's own,
// not this process's. The test process first raises its own peak to
// 192 MiB; a command started straight from it (CLONE_VM + exec) would
// report at least that.
func TestLauncherMeasuresTheChild(t *testing.T) {
	l := newLauncher(t)
	parentPeak := touched(192 * MiB)
	defer runtime.KeepAlive(parentPeak)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      []string
		cmd      []string
		min, max int64 // bounds of PeakRSS
	}{
		{"tiny command", nil, []string{"true"}, 1, 32 * MiB},
		{"child holding 64 MiB", append(os.Environ(), envTestAlloc+"=64"), []string{self}, 64 * MiB, 160 * MiB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := l.Run(context.Background(), tc.env, tc.cmd[0], tc.cmd[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("peak RSS %.1f MiB in %v", float64(m.PeakRSS)/MiB, m.Wall)
			if m.PeakRSS < tc.min || m.PeakRSS > tc.max {
				t.Errorf("peak RSS %.1f MiB, want %.0f–%.0f MiB", float64(m.PeakRSS)/MiB, float64(tc.min)/MiB, float64(tc.max)/MiB)
			}
			if m.Wall <= 0 {
				t.Errorf("wall time %v, want > 0", m.Wall)
			}
		})
	}
}

func TestLauncherReportsFailures(t *testing.T) {
	l := newLauncher(t)
	tests := []struct {
		name string
		cmd  []string
		want []string // substrings of the error
	}{
		{"exit code and stderr", []string{"sh", "-c", "echo starting; echo 'it broke' >&2; exit 3"}, []string{"code 3", "it broke"}},
		{"command not found", []string{"no-such-command-uploadbench"}, []string{"no-such-command-uploadbench"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Run(context.Background(), nil, tc.cmd[0], tc.cmd[1:]...)
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLauncherCapturesStdout(t *testing.T) {
	l := newLauncher(t)
	m, err := l.Run(context.Background(), nil, "sh", "-c", "printf 'hello\\n'")
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Stdout) != "hello\n" {
		t.Errorf("stdout %q, want %q", m.Stdout, "hello\n")
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := &tailBuffer{max: 8}
	tb.Write([]byte("0123456789"))
	tb.Write([]byte("ab"))
	if got := tb.String(); got != "…456789ab" {
		t.Errorf("tail %q, want %q", got, "…456789ab")
	}
	if got := (&tailBuffer{max: 8}).String(); got != "(no stderr)" {
		t.Errorf("empty tail %q", got)
	}
}
