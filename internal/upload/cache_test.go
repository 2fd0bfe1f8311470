package upload

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/upload/hashcache"
)

// cachedPlanner plans with a hash cache in a fresh folder and a clock an
// hour ahead, so the files a test just wrote are not racy.
func cachedPlanner(t *testing.T) func(path string) *Plan {
	t.Helper()
	c, err := hashcache.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	return func(path string) *Plan {
		t.Helper()
		p, err := NewPlanWith(t.Context(), path, PlanOptions{Cache: c, now: later})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// wantFresh checks that p was computed from the content (not the cache)
// and agrees with a plan made without any cache.
func wantFresh(t *testing.T, p *Plan, why string) {
	t.Helper()
	if p.Cached {
		t.Fatalf("%s: the plan came from the cache", why)
	}
	ref, err := NewPlan(t.Context(), p.Source)
	if err != nil {
		t.Fatal(err)
	}
	if p.Hash != ref.Hash || !reflect.DeepEqual(p.Files, ref.Files) {
		t.Errorf("%s: plan differs from an uncached one (hash %s vs %s)", why, p.Hash, ref.Hash)
	}
}

func TestHashCacheUnchangedTreeReadsNothing(t *testing.T) {
	plan := cachedPlanner(t)
	root := filepath.Join(t.TempDir(), "data")
	writeTree(t, root, map[string]string{"a.csv": "1\n", "sub/b.csv": "2\n", "big.bin": string(pseudoRandom(3 * mib))})
	first := plan(root)
	wantFresh(t, first, "first plan")
	second := plan(root)
	if !second.Cached {
		t.Fatal("unchanged tree: the second plan hashed the content again")
	}
	if second.Hash != first.Hash || !reflect.DeepEqual(second.Files, first.Files) {
		t.Errorf("cached plan differs: %+v vs %+v", second, first)
	}
	// Without the cache (another layout is another key) it hashes again.
	other, err := NewPlanWith(t.Context(), root, PlanOptions{Layout: Layout{BlockSize: mib, PutLimit: mib}})
	if err != nil || other.Cached {
		t.Errorf("another layout: cached=%v, %v", other.Cached, err)
	}
}

// TestHashCacheNeverSkipsAChange: every way of changing a tree that keeps
// some stat fields (sizes, modification times) is seen.
func TestHashCacheNeverSkipsAChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, root string)
	}{
		{"same size and mtime rewritten", func(t *testing.T, root string) {
			p := filepath.Join(root, "a.csv")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("9\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"file replaced by a directory", func(t *testing.T, root string) {
			p := filepath.Join(root, "a.csv")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			writeTree(t, p, map[string]string{"x": "1\n"})
		}},
		{"symlink retargeted", func(t *testing.T, root string) {
			link := filepath.Join(root, "link.csv")
			if err := os.Remove(link); err != nil {
				t.Fatal(err)
			}
			symlink(t, filepath.Join(filepath.Dir(root), "other.csv"), link)
		}},
		{"file added", func(t *testing.T, root string) {
			writeTree(t, root, map[string]string{"sub/new.csv": "3\n"})
		}},
		{"file renamed", func(t *testing.T, root string) {
			if err := os.Rename(filepath.Join(root, "sub", "b.csv"), filepath.Join(root, "sub", "c.csv")); err != nil {
				t.Fatal(err)
			}
		}},
		{"file replaced by another of the same size and mtime", func(t *testing.T, root string) {
			p := filepath.Join(root, "a.csv")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(filepath.Dir(root), "replacement")
			if err := os.WriteFile(tmp, []byte("8\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := cachedPlanner(t)
			base := t.TempDir()
			writeTree(t, base, map[string]string{"target.csv": "t\n", "other.csv": "o\n"})
			root := filepath.Join(base, "data")
			writeTree(t, root, map[string]string{"a.csv": "1\n", "sub/b.csv": "2\n"})
			symlink(t, filepath.Join(base, "target.csv"), filepath.Join(root, "link.csv"))
			before := plan(root)
			if again := plan(root); !again.Cached {
				t.Fatal("the unchanged tree was not cached")
			}
			tt.change(t, root)
			after := plan(root)
			wantFresh(t, after, tt.name)
			if after.Hash == before.Hash {
				t.Errorf("hash unchanged after %s", tt.name)
			}
		})
	}
}

// TestHashCacheRacyFilesAreHashedAgain: a file modified within the
// timestamp granularity of the walk is not trusted next time.
func TestHashCacheRacyFilesAreHashedAgain(t *testing.T) {
	c, err := hashcache.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "data")
	writeTree(t, root, map[string]string{"a.csv": "1\n"})
	for i := range 2 {
		p, err := NewPlanWith(t.Context(), root, PlanOptions{Cache: c}) // real clock: a.csv was just written
		if err != nil {
			t.Fatal(err)
		}
		if p.Cached {
			t.Fatalf("plan %d: a file written within the racy window came from the cache", i+1)
		}
	}
}
