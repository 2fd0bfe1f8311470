package invocation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// TestInvokeFileAliasBomb: an alias bomb in the inputs of an invoke
// --file is refused as a usage error, at the cost of parsing it.
func TestInvokeFileAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("endpoint: ep\nanchors:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	b.WriteString("inputs:\n  data: {type: uri_folder, path: *l9}\n")
	p := filepath.Join(t.TempDir(), "invoke.yml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Build(context.Background(), Flags{File: p}, nil)
	runtime.ReadMemStats(&after)
	var le *yamlnode.LimitError
	if !errors.As(err, &le) || le.Limit != "nodes" || !clierr.IsUsage(err) {
		t.Fatalf("err = %v, want a usage error over the nodes limit", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("refusing it allocated %d MiB, want under 32 MiB", alloc>>20)
	}
}

// TestInvokeFileSources: --file - reads stdin; a FIFO or a device is
// refused without blocking or reading.
func TestInvokeFileSources(t *testing.T) {
	ctx := context.Background()
	inv, err := Build(ctx, Flags{File: "-"}, strings.NewReader("endpoint: ep\ninputs:\n  x: {type: string, default: hi}\n"))
	if err != nil || inv.Endpoint != "ep" || len(inv.Inputs) != 1 {
		t.Fatalf("stdin: %+v, %v", inv, err)
	}
	_, err = Build(ctx, Flags{File: "-"}, strings.NewReader("endpoint: ep\nnope: 1\n"))
	requireUsage(t, err, "(stdin):2: unknown key")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		_, err := Build(ctx, Flags{Endpoint: "ep", File: p}, nil)
		requireUsage(t, err, "--file "+p+": is not a regular file")
	}
}
