package blob

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Folders under Root that hold the service's own state, outside every
// account's content tree (account names never start with a dot).
const (
	stateDirName = ".blobsvc"
	metaDirName  = "meta"
	stageDirName = "stage"
	tmpDirName   = "tmp"
)

// LocalPath maps a blob to the file that holds its content, after checking
// the account, container and blob names and that no symbolic link on the
// way leads outside the container's folder. The file need not exist. The
// batch runtime reads inputs through it and writes outputs to it (create
// the parent folders first); files written there are listed and served like
// uploaded blobs, and Record gives them an MD5 and metadata.
//
// name follows the blob name rules of this service (see the package doc),
// with two extensions for folders: "" maps to the container's folder and a
// name ending in "/" maps to the folder of that prefix.
func (h *Handler) LocalPath(account, container, name string) (string, error) {
	if _, ok := h.accounts[account]; !ok {
		return "", errors.New("blob: account " + quote(account) + " is not served (add it to Options.Accounts)")
	}
	if err := checkContainerName(container); err != nil {
		return "", err
	}
	dir := h.containerDir(account, container)
	if name == "" {
		return dir, confine(dir, dir)
	}
	if strings.HasSuffix(name, "/") && name != "/" {
		folder := strings.TrimSuffix(name, "/")
		if err := checkBlobName(folder); err != nil {
			return "", err
		}
		p := filepath.Join(dir, filepath.FromSlash(folder))
		return p, confine(dir, p)
	}
	return h.blobPath(account, container, name)
}

// fileOf is LocalPath for a blob name proper (no folder forms).
func (h *Handler) fileOf(account, container, name string) (string, error) {
	if _, ok := h.accounts[account]; !ok {
		return "", errors.New("blob: account " + quote(account) + " is not served (add it to Options.Accounts)")
	}
	if err := checkContainerName(container); err != nil {
		return "", err
	}
	return h.blobPath(account, container, name)
}

func quote(s string) string { return "\"" + s + "\"" }

// containerDir is Root/<account>/<container>; both names must be valid.
func (h *Handler) containerDir(account, container string) string {
	return filepath.Join(h.root, account, container)
}

// blobPath checks name and returns its file path inside the container.
func (h *Handler) blobPath(account, container, name string) (string, error) {
	if err := checkBlobName(name); err != nil {
		return "", err
	}
	dir := h.containerDir(account, container)
	p := filepath.Join(dir, filepath.FromSlash(name))
	// Join cleans the path; checkBlobName already refused every name that
	// cleaning would change, so this is a belt-and-braces check.
	if !within(p, dir) {
		return "", newError("InvalidResourceName", "Blob name %q leaves its container.", name)
	}
	if err := confine(dir, p); err != nil {
		return "", err
	}
	return p, nil
}

// confine checks that p, with the symbolic links on its existing part
// resolved, is dir or lies below it. Root is resolved once at start, so dir
// is a real path as long as the account and container folders are not links
// themselves; if they are links to elsewhere, everything below is refused.
func confine(dir, p string) error {
	existing, rest := p, ""
	for {
		real, err := filepath.EvalSymlinks(existing)
		if err == nil {
			resolved := filepath.Join(real, rest)
			if !within(resolved, dir) {
				return escapeError(dir, p)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			return err
		}
		// A link whose target is missing could be made to point anywhere
		// later; refuse it rather than reason about its target.
		if fi, lerr := os.Lstat(existing); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return escapeError(dir, p)
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return escapeError(dir, p)
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
}

func escapeError(dir, p string) error {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		rel = p
	}
	return newError("InvalidResourceName", "Blob name %q resolves through a symbolic link to a place outside its container; the local workspace does not follow such links.", filepath.ToSlash(rel))
}

// within reports whether p is dir or a path below it (both clean).
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
}
