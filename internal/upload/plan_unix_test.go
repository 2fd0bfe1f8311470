//go:build unix

package upload

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func TestNewPlanRejectsSpecialFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "withfifo")
	writeTree(t, root, map[string]string{"a.txt": "a"})
	fifo := filepath.Join(root, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := NewPlan(t.Context(), root)
	if err == nil || !clierr.IsUsage(err) || !strings.Contains(err.Error(), fifo) {
		t.Fatalf("NewPlan with a fifo: error %v, want a usage error naming %s", err, fifo)
	}
	// Excluded, it is fine: the ignore file is the documented fix.
	writeTree(t, root, map[string]string{".amlignore": "pipe\n"})
	if _, err := NewPlan(t.Context(), root); err != nil {
		t.Fatalf("fifo excluded by .amlignore: %v", err)
	}
}
