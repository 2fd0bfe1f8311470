package upload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ctrl-C cancels the command's context; the plan must stop reading then,
// not after the last byte of a folder that may take minutes to hash.
func TestPlanStopsWhenCanceled(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 64 read buffers of zeros without writing them.
	if err := f.Truncate(64 * hashBufferSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	small := filepath.Join(t.TempDir(), "small")
	tree := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		tree[n+".csv"] = strings.Repeat(n, 100)
	}
	writeTree(t, small, tree)

	for _, tc := range []struct {
		name, path string
		// total is how many reads the whole pass makes.
		total int
	}{
		{"one large file, pipelined reads", big, 64},
		{"a folder of small files", small, 2 * len(tree)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			reads := 0
			cancelAtFirstRead := func(int) {
				reads++
				if reads == 1 {
					cancel()
				}
			}
			_, err := NewPlanWith(ctx, tc.path, PlanOptions{afterRead: cancelAtFirstRead})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("NewPlan after cancel = %v, want context.Canceled", err)
			}
			// The pipelined pass has up to readAhead buffers in flight.
			if reads > readAhead {
				t.Errorf("%d of %d reads happened after the cancel; want at most %d", reads, tc.total, readAhead)
			}
		})
	}

	t.Run("the walk", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := List(ctx, small, PlanOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("List with a canceled context = %v, want context.Canceled", err)
		}
	})
}

// A listing reports a bad path before any content is read, and its Hash is
// the plan NewPlan makes.
func TestListThenHash(t *testing.T) {
	root := filepath.Join(t.TempDir(), "data")
	writeTree(t, root, map[string]string{"a.csv": "1,2\n", "sub/b.csv": "3,4\n"})
	reads := 0
	l, err := List(t.Context(), root, PlanOptions{afterRead: func(int) { reads++ }})
	if err != nil {
		t.Fatal(err)
	}
	if reads != 0 {
		t.Fatalf("List read content (%d reads)", reads)
	}
	got, err := l.Hash(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, err := NewPlan(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != want.Hash || got.RemotePath != want.RemotePath || len(got.Files) != 2 || got.Bytes != want.Bytes {
		t.Errorf("List+Hash = %s %s (%d files, %d B), NewPlan = %s %s", got.Hash, got.RemotePath, len(got.Files), got.Bytes, want.Hash, want.RemotePath)
	}
	if _, err := l.Hash(t.Context()); err == nil {
		t.Error("a second Hash of one listing succeeded")
	}

	if _, err := List(t.Context(), filepath.Join(root, "missing"), PlanOptions{}); err == nil || !strings.Contains(err.Error(), "No such file or directory") {
		t.Errorf("List of a missing path = %v", err)
	}
}
