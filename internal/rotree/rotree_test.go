package rotree

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// sourceModel is a model folder with a read-only file, a writable file and a
// nested folder with a read-only file.
func sourceModel(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(src, "MLmodel"), "flavors: {}\n")
	writeFile(t, filepath.Join(src, "weights", "w.bin"), "weights")
	writeFile(t, filepath.Join(src, "notes.txt"), "writable")
	for _, f := range []string{"MLmodel", "weights/w.bin"} {
		if err := os.Chmod(filepath.Join(src, f), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// buildTree builds dst from src with ml; the read-only tree is removed
// when the test ends (t.TempDir's cleanup could not, as a user other than
// root).
func buildTree(t *testing.T, b Builder, src, name string) (string, Stats) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	t.Cleanup(func() { _ = Remove(dst) })
	st, err := b.Build(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	return dst, st
}

// treeFiles lists the files of a tree (slash paths) with their content.
func treeFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = readText(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	ia, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	ib, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(ia, ib)
}

// TestTreeLinksReadOnlyFiles: with links allowed, read-only files are
// hard links to the source (no bytes copied), writable ones read-only
// copies, and the whole tree is read-only.
func TestTreeLinksReadOnlyFiles(t *testing.T) {
	src := sourceModel(t)
	dst, st := buildTree(t, Builder{LinkReadOnly: true, Link: os.Link}, src, "model")
	if st.Linked != 2 || st.Copied != 1 || st.CopiedBytes != int64(len("writable")) {
		t.Errorf("stats = %+v, want 2 linked and notes.txt copied", st)
	}
	if got, want := treeFiles(t, dst), treeFiles(t, src); !equalMaps(got, want) {
		t.Errorf("tree = %v, want %v", got, want)
	}
	for rel, linked := range map[string]bool{"MLmodel": true, "weights/w.bin": true, "notes.txt": false} {
		if got := sameFile(t, filepath.Join(src, rel), filepath.Join(dst, rel)); got != linked {
			t.Errorf("%s: hard link = %v, want %v", rel, got, linked)
		}
	}
	assertReadOnlyTree(t, dst)
	if err := Remove(dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("tree still there after Remove: %v", err)
	}
	if got := treeFiles(t, src); got["MLmodel"] != "flavors: {}\n" || got["weights/w.bin"] != "weights" {
		t.Errorf("removing the tree changed the source: %v", got)
	}
}

// TestTreeCopiesWhenLinksAreUnsafeOrFail: without links (root), or when
// linking fails (another device), every file is a read-only copy.
func TestTreeCopiesWhenLinksAreUnsafeOrFail(t *testing.T) {
	crossDevice := func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.EXDEV}
	}
	for name, ml := range map[string]Builder{
		"root":         {LinkReadOnly: false, Link: os.Link},
		"cross-device": {LinkReadOnly: true, Link: crossDevice},
	} {
		t.Run(name, func(t *testing.T) {
			src := sourceModel(t)
			dst, st := buildTree(t, ml, src, "model")
			if st.Linked != 0 || st.Copied != 3 {
				t.Errorf("stats = %+v, want 3 copies", st)
			}
			for _, rel := range []string{"MLmodel", "weights/w.bin", "notes.txt"} {
				if sameFile(t, filepath.Join(src, rel), filepath.Join(dst, rel)) {
					t.Errorf("%s is a link to the source", rel)
				}
			}
			if got, want := treeFiles(t, dst), treeFiles(t, src); !equalMaps(got, want) {
				t.Errorf("tree = %v, want %v", got, want)
			}
			assertReadOnlyTree(t, dst)
			if name == "root" && !strings.Contains(st.String(), "copied, not linked") {
				t.Errorf("log line does not say why nothing was linked: %s", st)
			}
		})
	}
}

// TestTreeFollowsFileLinks: a symbolic link to a file contributes the
// file (scripts see a plain file, as on a mount); a link to a folder is
// skipped, never followed into a loop.
func TestTreeFollowsFileLinks(t *testing.T) {
	src := filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(src, "real.txt"), "content")
	if err := os.Symlink("real.txt", filepath.Join(src, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(src, "loop")); err != nil {
		t.Fatal(err)
	}
	dst, st := buildTree(t, Builder{LinkReadOnly: true, Link: os.Link}, src, "model")
	if got := treeFiles(t, dst); !equalMaps(got, map[string]string{"alias.txt": "content", "real.txt": "content"}) {
		t.Errorf("tree = %v", got)
	}
	if info, err := os.Lstat(filepath.Join(dst, "alias.txt")); err != nil || !info.Mode().IsRegular() {
		t.Errorf("alias.txt in the tree is not a regular file: %v %v", info, err)
	}
	if !slices.Equal(st.Skipped, []string{"loop"}) {
		t.Errorf("skipped = %v, want the folder link", st.Skipped)
	}
}

// TestTreeOfAFile: a model registered from one file is that file.
func TestTreeOfAFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "model.pkl")
	writeFile(t, src, "pickle")
	dst, _ := buildTree(t, Builder{LinkReadOnly: true, Link: os.Link}, src, "model.pkl")
	if got := readText(t, dst); got != "pickle" {
		t.Errorf("copy = %q", got)
	}
	if info, _ := os.Stat(dst); info.Mode().Perm()&0o222 != 0 {
		t.Errorf("the copy is writable: %v", info.Mode())
	}
}

// assertReadOnlyTree checks that nothing in the tree has a write bit, and,
// for a user whom permission bits bind, that writing into it fails.
func assertReadOnlyTree(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s is writable (%v)", p, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		return // root writes whatever the bits say; the tree is copies then
	}
	if err := os.WriteFile(filepath.Join(root, "MLmodel"), []byte("changed"), 0o644); err == nil {
		t.Errorf("writing a file through the read-only tree succeeded")
	}
	if err := os.WriteFile(filepath.Join(root, "new.txt"), []byte("x"), 0o644); err == nil {
		t.Errorf("creating a file in the read-only tree succeeded")
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readText(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
