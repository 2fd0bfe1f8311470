package batchrun

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Azure mounts the registered model read-only under AZUREML_MODEL_DIR, and
// scripts walk it (os.walk, glob("**"), Path.rglob, os.listdir), which do not
// follow symbolic links. So AZUREML_MODEL_DIR is a real folder tree holding
// the model's files, made read-only like the mount:
//
//   - a source file that is already read-only (no write permission bits) is
//     hard-linked: no byte is copied, and the shared inode stays read-only,
//     so a script cannot write through the link into the registered model.
//     The local workspace keeps registered model files read-only for this.
//   - every other file is copied: a writable source (linking it would let a
//     script change it), a file on another device (EXDEV), and every file
//     when the runtime runs as root, whom permission bits do not stop.
//
// Copy-on-write clones (reflinks) would protect root too, but only a few
// filesystems have them; a read-only link or a plain copy works everywhere.

const (
	modelFileMode = 0o444 // copies: read-only, like the mount
	modelDirMode  = 0o555
)

// modelLinker builds AZUREML_MODEL_DIR trees.
type modelLinker struct {
	// linkReadOnly allows hard links to read-only source files.
	linkReadOnly bool
	// link makes a hard link (os.Link).
	link func(oldname, newname string) error
}

// newModelLinker links read-only files where permission bits protect them:
// on Unix, for a user other than root. (On Windows a read-only attribute on a
// linked file would also stop the blob store from replacing it.)
func newModelLinker() modelLinker {
	return modelLinker{linkReadOnly: os.Geteuid() > 0, link: os.Link}
}

// modelTreeStats says how a tree was built, for the job's log.
type modelTreeStats struct {
	linked, copied int
	copiedBytes    int64
	skipped        []string // symbolic links to folders, special files
	noLinks        bool     // links were not allowed at all
}

func (st modelTreeStats) String() string {
	s := fmt.Sprintf("%d files hard-linked, %d copied (%d bytes)", st.linked, st.copied, st.copiedBytes)
	if st.noLinks && st.copied > 0 {
		s += "; copied, not linked: for root (and on Windows) a read-only hard link would not keep a script from changing the registered model"
	}
	if len(st.skipped) > 0 {
		s += fmt.Sprintf("; skipped %d entries that are not files or folders: %v", len(st.skipped), st.skipped)
	}
	return s
}

// build makes dst (which must not exist) a read-only copy of src, a file or
// a folder, linking what can be linked safely.
func (ml modelLinker) build(src, dst string) (modelTreeStats, error) {
	st := modelTreeStats{noLinks: !ml.linkReadOnly}
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
			return ml.place(path, target, &st)
		case entry.Type()&fs.ModeSymlink != 0:
			// A link to a file contributes the file, as a mount shows it.
			if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
				resolved, err := filepath.EvalSymlinks(path)
				if err != nil {
					return err
				}
				return ml.place(resolved, target, &st)
			}
		}
		st.skipped = append(st.skipped, rel)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("build AZUREML_MODEL_DIR from %s: %w", src, err)
	}
	// Deepest first: a read-only folder can take no new entries.
	for _, dir := range slices.Backward(dirs) {
		if err := os.Chmod(dir, modelDirMode); err != nil {
			return st, fmt.Errorf("make AZUREML_MODEL_DIR read-only: %w", err)
		}
	}
	return st, nil
}

// place puts one file at target: a hard link when that is safe, else a
// read-only copy.
func (ml modelLinker) place(src, target string, st *modelTreeStats) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	if ml.linkReadOnly && info.Mode().Perm()&0o222 == 0 {
		if err := ml.link(src, target); err == nil {
			st.linked++
			return nil
		}
		// Another device, a filesystem without links, too many links: copy.
	}
	n, err := copyReadOnly(src, target)
	if err != nil {
		return err
	}
	st.copied++
	st.copiedBytes += n
	return nil
}

func copyReadOnly(src, target string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, modelFileMode)
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

// removeModelTree deletes a tree made by build, read-only folders included.
// Only the tree's own names go: linked files stay in the registered model.
func removeModelTree(dir string) error {
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
