package localws

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The state folder holds the storage account key (state.db), the bearer
// token (server.json) and the code that jobs run (blob/): another user who
// can read the key can sign a SAS and replace a deployment's scoring
// script. So the folder is the server's user's alone: mode 0700, every
// file in it 0600 and every folder 0700, whatever existed before (earlier
// versions left state.db 0644 and kept a pre-existing 0755 folder), and a
// folder owned by someone else is refused.

const (
	privateDirMode  fs.FileMode = 0o700
	privateFileMode fs.FileMode = 0o600
	// metaPrivate records that the whole folder has been tightened once;
	// later starts only check the top-level files, since everything the
	// server writes is created private.
	metaPrivate = "filesPrivate"
)

// makePrivate creates dir (0700) or checks an existing one: it must belong
// to this user, and it and its top-level files (state.db and its -wal and
// -shm, server.json, server.log) are tightened to 0700/0600. It runs before
// the database is opened.
func makePrivate(dir string) error {
	if err := os.MkdirAll(dir, privateDirMode); err != nil {
		return fmt.Errorf("create state folder: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("state folder %s is not a folder", dir)
	}
	if err := checkOwner(dir, fi, os.Getuid()); err != nil {
		return err
	}
	if err := tighten(dir, fi); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := tightenPath(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	// SQLite creates state.db-wal and -shm with the mode of state.db.
	db := filepath.Join(dir, stateDBFile)
	f, err := os.OpenFile(db, os.O_RDWR|os.O_CREATE, privateFileMode)
	if err != nil {
		return fmt.Errorf("create %s: %w", db, err)
	}
	return f.Close()
}

// tightenAll walks dir once in the workspace's life (recorded in the
// database) and tightens every file and folder under it; symbolic links are
// left alone (their own mode means nothing, and they are not followed).
func (s *Server) tightenAll(ctx context.Context) error {
	if v, ok, err := s.store.Meta(ctx, metaPrivate); err != nil || ok && v == "1" {
		return err
	}
	err := filepath.WalkDir(s.opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking (a blob being committed)
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 || !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		return tighten(p, fi)
	})
	if err != nil {
		return fmt.Errorf("make the state folder private: %w", err)
	}
	return s.store.SetMeta(ctx, metaPrivate, "1")
}

func tightenPath(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("make %s private: %w", p, err)
	}
	return tighten(p, fi)
}

// tighten removes group and other permissions from a file or folder.
func tighten(p string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	want := privateFileMode
	if fi.IsDir() {
		want = privateDirMode
	}
	if err := os.Chmod(p, want|fi.Mode().Perm()&0o700); err != nil {
		return fmt.Errorf("make %s private: %w", p, err)
	}
	return nil
}
