// Package rotree builds read-only copies of file trees the cheap way:
// hard links where permission bits keep the source safe, copies (in the
// kernel, copy_file_range) elsewhere. The batch runtime builds
// AZUREML_MODEL_DIR with it, the pipeline engine the inputs of its steps:
// Azure mounts both read-only (ro_mount).
package rotree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Scripts walk what Azure mounts (os.walk, glob("**"), Path.rglob,
// os.listdir), which do not follow symbolic links, so a tree is a real
// folder tree holding the files, made read-only like the mount:
//
//   - a source file that is already read-only (no write permission bits) is
//     hard-linked: no byte is copied, and the shared inode stays read-only,
//     so a script cannot write through the link into the source. The local
//     workspace keeps registered model files read-only for this.
//   - every other file is copied: a writable source (linking it would let a
//     script change it), a file on another device (EXDEV), and every file
//     when the process runs as root, whom permission bits do not stop.
//
// Copy-on-write clones (reflinks) would protect root too, but only a few
// filesystems have them; a read-only link or a plain copy works everywhere.

const (
	// FileMode is the mode of copied files: read-only, like the mount.
	FileMode = 0o444
	// DirMode is the mode of the tree's folders.
	DirMode = 0o555
)

// Builder builds read-only trees.
type Builder struct {
	// LinkReadOnly allows hard links to read-only source files.
	LinkReadOnly bool
	// Link makes a hard link (os.Link).
	Link func(oldname, newname string) error
}

// New links read-only files where permission bits protect them: on Unix,
// for a user other than root. (On Windows a read-only attribute on a
// linked file would also stop the blob store from replacing it.)
func New() Builder {
	return Builder{LinkReadOnly: os.Geteuid() > 0, Link: os.Link}
}

// Stats says how a tree was built, for a job's log.
type Stats struct {
	Linked, Copied int
	CopiedBytes    int64
	Skipped        []string // symbolic links to folders, special files
	NoLinks        bool     // links were not allowed at all
}

func (st Stats) String() string {
	s := fmt.Sprintf("%d files hard-linked, %d copied (%d bytes)", st.Linked, st.Copied, st.CopiedBytes)
	if st.NoLinks && st.Copied > 0 {
		s += "; copied, not linked: for root (and on Windows) a read-only hard link would not keep a script from changing the source"
	}
	if len(st.Skipped) > 0 {
		s += fmt.Sprintf("; skipped %d entries that are not files or folders: %v", len(st.Skipped), st.Skipped)
	}
	return s
}

// Build makes dst (which must not exist) a read-only copy of src, a file or
// a folder, linking what can be linked safely.
func (b Builder) Build(src, dst string) (Stats, error) {
	st := Stats{NoLinks: !b.LinkReadOnly}
	var dirs []string
	err := filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case entry.IsDir():
			dirs = append(dirs, target)
			return os.Mkdir(target, 0o755)
		case entry.Type().IsRegular():
			return b.place(path, target, &st)
		case entry.Type()&fs.ModeSymlink != 0:
			// A link to a file contributes the file, as a mount shows it.
			if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
				resolved, err := filepath.EvalSymlinks(path)
				if err != nil {
					return err
				}
				return b.place(resolved, target, &st)
			}
		}
		st.Skipped = append(st.Skipped, rel)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("build a read-only copy of %s: %w", src, err)
	}
	// Deepest first: a read-only folder can take no new entries.
	for _, dir := range slices.Backward(dirs) {
		if err := os.Chmod(dir, DirMode); err != nil {
			return st, fmt.Errorf("make the copy of %s read-only: %w", src, err)
		}
	}
	return st, nil
}

// place puts one file at target: a hard link when that is safe, else a
// read-only copy.
func (b Builder) place(src, target string, st *Stats) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	if b.LinkReadOnly && info.Mode().Perm()&0o222 == 0 {
		if err := b.Link(src, target); err == nil {
			st.Linked++
			return nil
		}
		// Another device, a filesystem without links, too many links: copy.
	}
	n, err := copyReadOnly(src, target)
	if err != nil {
		return err
	}
	st.Copied++
	st.CopiedBytes += n
	return nil
}

func copyReadOnly(src, target string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return 0, err
	}
	// io.Copy between files uses copy_file_range on Linux: in the kernel.
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// Remove deletes a tree made by Build, read-only folders included. Only
// the tree's own names go: linked files stay in the source.
func Remove(dir string) error {
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() {
			// Before its entries are visited, so they can be removed.
			return os.Chmod(path, 0o755)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dir)
}
