package upload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/upload/hashcache"
)

// dirWalker walks an upload directory, listing in az's hash order every
// entry whose name and content feed az's directory hash, and collecting
// the files to upload. It reads no content: the plan hashes the listing
// afterwards (or finds it unchanged in the hash cache).
//
// The hash reproduces azure-ai-ml's _get_dir_hash (Azure/azure-sdk-for-python
// sdk/ml/azure-ai-ml/azure/ai/ml/_utils/_asset_utils.py, read at commit
// 00117027544e8aa9ec3ab36c72a61a7a6005b7de): for each directory, list its entries
// (Path.iterdir, i.e. readdir order) and sort them with a stable sort keyed
// by str(path).lower() — all entries share the parent prefix, so this is the
// entry name lowercased by Python's rules; for each entry, skip it if the
// ignore file excludes it, else feed its name (UTF-8) and then either the
// file's bytes or, for a directory, recurse with the same MD5. The top
// directory's own name is never fed; symlinks are followed.
//
// Deliberate differences, all outside the cases az itself handles sanely:
//   - az follows a symlink with os.readlink, so a relative target is
//     resolved against the process's working directory and matched against
//     the ignore file by its target path; we resolve it like the OS does and
//     match the path inside the tree. Trees with absolute symlinks that no
//     ignore pattern touches hash the same — except a link to a directory
//     outside the tree when an ignore file exists: az uploads its files but
//     leaves them out of the hash (its ignore check excludes any path
//     outside the root), so changing them would not change az's
//     destination; we hash them.
//   - az's upload list checks each file against the ignore rules but never
//     its directories, so "!dir/keep" before "dir" uploads dir/keep while
//     the hash skips it; we skip it in both (the hash decides).
//   - a symlink cycle makes az recurse until it crashes; we report it.
//   - entries that are neither files nor directories (sockets, devices,
//     broken symlinks) only contribute their name to az's hash and then
//     fail its upload; we reject them up front with the path.
type dirWalker struct {
	// ctx stops the walk between directories.
	ctx   context.Context
	root  string
	rules *ignoreRules
	// steps is the listing in hash order: each entry's name is fed, then a
	// file's content (steps[i].file indexes files) or a directory's steps.
	steps []walkStep
	files []File
	// excluded counts entries skipped by the ignore file (for messages).
	excluded int
	// ancestors holds the real paths of the directories being walked, to
	// catch symlink cycles.
	ancestors map[string]bool
	// readDir lists a directory in the order the OS returns entries; tests
	// swap it to observe which directories are listed.
	readDir func(dir string) ([]os.DirEntry, error)
}

func newDirWalker(ctx context.Context, root string, rules *ignoreRules) *dirWalker {
	return &dirWalker{
		ctx:       ctx,
		root:      root,
		rules:     rules,
		ancestors: map[string]bool{},
		readDir:   readDirUnsorted,
	}
}

// readDirUnsorted lists dir in readdir order. os.ReadDir would sort by name,
// and az's stable sort breaks ties (names equal when lowercased, such as
// README and readme) by readdir order.
func readDirUnsorted(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

func (w *dirWalker) walk() error {
	w.ancestors[w.root] = true
	return w.dir(w.root, "", w.root)
}

// dir walks the directory at abs, whose path below the root is rel ("" for
// the root) and whose symlink-free path is real.
func (w *dirWalker) dir(abs, rel, real string) error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", abs, err)
	}
	entries, err := w.readDir(abs)
	if err != nil {
		return fmt.Errorf("list %s: %w", abs, err)
	}
	keys := make([]string, len(entries))
	order := make([]int, len(entries))
	for i, e := range entries {
		keys[i] = pythonLower(e.Name())
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })

	for _, i := range order {
		name := entries[i].Name()
		childAbs := filepath.Join(abs, name)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		if w.rules.excluded(childRel) {
			w.excluded++
			continue
		}
		if !utf8.ValidString(name) {
			return clierr.Usagef("%s: the name is not valid UTF-8 and cannot be a blob name; rename it or add it to %s", childAbs, ignoreFileHint(w.rules))
		}
		mode := entries[i].Type()
		isLink := mode&os.ModeSymlink != 0
		var info os.FileInfo
		if isLink || mode.IsRegular() {
			// Stat follows a link: the target's identity is what the
			// cache compares.
			if info, err = os.Stat(childAbs); err != nil {
				if isLink {
					return clierr.Usagef("%s: broken symlink (%v); fix or remove it, or add it to %s", childAbs, err, ignoreFileHint(w.rules))
				}
				return fmt.Errorf("stat %s: %w", childAbs, err)
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsRegular():
			st := hashcache.StatOf(info)
			w.steps = append(w.steps, walkStep{name: name, item: hashcache.Item{Path: childRel, Stat: st}, file: len(w.files)})
			w.files = append(w.files, File{LocalPath: childAbs, RelPath: childRel, Size: st.Size})
		case mode.IsDir():
			// The name is hashed even when everything below is excluded.
			w.steps = append(w.steps, walkStep{name: name, item: hashcache.Item{Path: childRel, Dir: true}, file: -1})
			if w.rules.prunable(childRel) {
				// Everything below is excluded: az would list it only to
				// skip every entry, which adds nothing to the hash.
				continue
			}
			childReal := filepath.Join(real, name)
			if isLink {
				if childReal, err = filepath.EvalSymlinks(childAbs); err != nil {
					return clierr.Usagef("%s: cannot resolve symlink (%v); fix or remove it", childAbs, err)
				}
			}
			if w.ancestors[childReal] {
				return clierr.Usagef("%s: symlink cycle (it points to %s, which contains it); remove the link or add it to %s", childAbs, childReal, ignoreFileHint(w.rules))
			}
			w.ancestors[childReal] = true
			err := w.dir(childAbs, childRel, childReal)
			delete(w.ancestors, childReal)
			if err != nil {
				return err
			}
		default:
			return clierr.Usagef("%s is not a regular file or directory (%s); remove it or add it to %s", childAbs, mode, ignoreFileHint(w.rules))
		}
	}
	return nil
}

// walkStep is one entry of the listing.
type walkStep struct {
	name string
	item hashcache.Item
	// file is the entry's index in files, -1 for a directory.
	file int
}

// ignoreFileHint names the ignore file to edit.
func ignoreFileHint(r *ignoreRules) string {
	if r.File != "" {
		return r.File
	}
	return amlIgnoreName
}
