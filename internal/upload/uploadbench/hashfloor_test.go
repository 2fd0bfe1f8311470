package uploadbench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/upload"
)

// TestHashChildren runs both hash children on a small tree: the plan child
// prints az's content hash as ml computes it, and the MD5 child one MD5
// over every file's name and bytes in walk order, so its time is a read of
// every byte.
func TestHashChildren(t *testing.T) {
	ctx := context.Background()
	r := newRunner(t)
	tree := smallTree(t)

	plan, err := upload.NewPlan(ctx, tree.Root)
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Hash(ctx, tree, HashPlan)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(m.Stdout)); got != plan.Hash {
		t.Errorf("plan child printed %q, want az's hash %q", got, plan.Hash)
	}

	h := md5.New()
	var files int
	err = filepath.WalkDir(tree.Root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		io.WriteString(h, d.Name())
		data, err := os.ReadFile(p)
		h.Write(data)
		return err
	})
	if err != nil || files != tree.Files {
		t.Fatalf("walked %d files (%v), want %d", files, err, tree.Files)
	}
	m, err = r.Hash(ctx, tree, HashMD5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(m.Stdout)), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("md5 child printed %q, want %q", got, want)
	}

	if _, err := r.Hash(ctx, tree, "sha1"); err == nil || !strings.Contains(err.Error(), `kind "sha1"`) {
		t.Errorf("unknown kind: err = %v, want one naming the kind", err)
	}
}
