package localws

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/localinfo"
)

// TestStateFolderPrivate: a state folder left by an earlier version (0755,
// state.db 0644: another user could read the account key in it) is made
// private at start: the folder and every folder in it 0700, every file
// 0600, the database's -wal and -shm included; what the server creates
// afterwards is private too.
func TestStateFolderPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	a := newEnvIn(t, dir)
	a.setupModelDeployment()
	a.stop()
	// As an earlier version left it.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o755)
		}
		return os.Chmod(p, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := openSQLiteStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`DELETE FROM meta WHERE key = ?`, metaPrivate); err != nil {
		t.Fatal(err)
	}
	st.Close()

	b := newEnvIn(t, dir)
	b.upload(map[string]string{"after/new.csv": "1\n"})
	checkPrivate(t, dir, stateDBFile, stateDBFile+"-wal", stateDBFile+"-shm", localinfo.FileName)
}

// checkPrivate fails for any file under dir readable by others, and for
// any of the named top-level files missing.
func checkPrivate(t *testing.T, dir string, mustExist ...string) {
	t.Helper()
	for _, name := range mustExist {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case p == dir && fi.Mode().Perm() != 0o700:
			t.Errorf("the state folder is %v, want 0700", fi.Mode().Perm())
		case d.IsDir() && fi.Mode().Perm()&0o022 != 0:
			// Folders inside are out of other users' reach through the
			// 0700 state folder; none may be writable by them.
			t.Errorf("%s is %v, writable by others", rel, fi.Mode().Perm())
		case !d.IsDir():
			files++
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s is %v, want 0600", rel, fi.Mode().Perm())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 8 {
		t.Errorf("only %d files checked", files)
	}
}

// TestStateFolderOwner: a folder owned by another user is refused before
// anything in it is opened.
func TestStateFolderOwner(t *testing.T) {
	dir := t.TempDir()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkOwner(dir, fi, os.Getuid()); err != nil {
		t.Fatalf("own folder refused: %v", err)
	}
	err = checkOwner(dir, fi, os.Getuid()+1)
	if err == nil || !strings.Contains(err.Error(), "belongs to user") || !strings.Contains(err.Error(), "use a folder of your own") {
		t.Fatalf("another user's folder: %v", err)
	}
	if os.Getuid() == 0 {
		// As root the real path can be checked too: hand the folder to
		// another user and start on it.
		other := filepath.Join(t.TempDir(), "theirs")
		if err := os.Mkdir(other, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(other, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{Dir: other, Runner: newFakeRunner()}); err == nil || !strings.Contains(err.Error(), "belongs to user 4242") {
			t.Fatalf("New on another user's folder: %v", err)
		}
		if _, err := os.Stat(filepath.Join(other, stateDBFile)); err == nil {
			t.Errorf("state.db was created in another user's folder")
		}
	}
}
