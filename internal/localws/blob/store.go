package blob

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// blobState is a blob as a request sees it: its file and its effective
// properties.
type blobState struct {
	path string
	rec  blobRecord
}

// statBlob looks a blob up. A missing file, a folder or anything but a
// regular file (after following links inside the container) is no blob.
func (h *Handler) statBlob(account, container, name string) (blobState, bool, error) {
	p, err := h.blobPath(account, container, name)
	if err != nil {
		return blobState{}, false, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return blobState{path: p}, false, nil
		}
		return blobState{}, false, err
	}
	if !fi.Mode().IsRegular() {
		return blobState{path: p}, false, nil
	}
	return blobState{path: p, rec: h.effectiveRecord(account, container, name, fi)}, true, nil
}

// effectiveRecord is the blob's sidecar when it still describes the file,
// else properties derived from the file: the file was written or replaced
// outside the service (by the batch runtime, or by hand).
func (h *Handler) effectiveRecord(account, container, name string, fi fs.FileInfo) blobRecord {
	var rec blobRecord
	ok, err := readJSON(h.blobRecordPath(account, container, name), &rec)
	if err != nil {
		h.log.Warn("blob: unreadable sidecar; deriving properties from the file", "container", container, "blob", name, "err", err)
	}
	if ok && err == nil && rec.Name == name && rec.Size == fi.Size() && rec.ModTime.Equal(fi.ModTime()) {
		return rec
	}
	return derivedRecord(name, fi)
}

func derivedRecord(name string, fi fs.FileInfo) blobRecord {
	return blobRecord{
		Name:         name,
		Size:         fi.Size(),
		ModTime:      fi.ModTime(),
		ETag:         fileETag(fi),
		LastModified: fi.ModTime(),
		Created:      fi.ModTime(),
		ContentType:  defaultContentType,
	}
}

// defaultContentType is what Azure reports for a blob uploaded without one.
const defaultContentType = "application/octet-stream"

// requireContainer fails with 404 ContainerNotFound unless the container's
// folder exists (and is not a link to elsewhere).
func (h *Handler) requireContainer(account, container string) error {
	dir := h.containerDir(account, container)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return newError("ContainerNotFound", "")
	}
	if err := confine(dir, dir); err != nil {
		return newError("ContainerNotFound", "")
	}
	return nil
}

// commitFile moves a finished upload (tmp, under the state folder) to the
// blob's path and writes its sidecar. The caller holds the blob's write
// lock. The rename is atomic, so readers see the old or the new content,
// never a mix.
func (h *Handler) commitFile(account, container, name, tmp string, rec blobRecord) (blobRecord, error) {
	p, err := h.blobPath(account, container, name)
	if err != nil {
		return rec, err
	}
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		return rec, newError("PathConflict", "Blob name %q is the folder of other blobs here (e.g. %q/...); the local workspace stores blobs as files, so delete those blobs first or pick another name.", name, name)
	}
	// A concurrent delete of another blob may prune an empty parent folder
	// while we create it or before we rename into it: then try again.
	const attempts = 5
	for attempt := 1; ; attempt++ {
		err := os.MkdirAll(filepath.Dir(p), 0o755)
		if err == nil {
			err = os.Rename(tmp, p)
		}
		if err == nil {
			break
		}
		if errors.Is(err, fs.ErrNotExist) && attempt < attempts {
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "mkdir" && (isNotDir(err) || errors.Is(err, fs.ErrExist)) {
			return rec, newError("PathConflict", "A folder of blob %q is itself a blob here; the local workspace stores blobs as files, so a name cannot be both a blob and a folder of blobs.", name)
		}
		if errors.Is(err, fs.ErrExist) || isDirError(err) {
			return rec, newError("PathConflict", "Blob name %q is the folder of other blobs here; delete those blobs first or pick another name.", name)
		}
		return rec, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return rec, err
	}
	rec.Name, rec.Size, rec.ModTime = name, fi.Size(), fi.ModTime()
	if err := h.writeJSON(h.blobRecordPath(account, container, name), rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// removeBlob deletes a blob's file, sidecar and staged blocks, then the
// folders its removal left empty. The caller holds the blob's write lock.
func (h *Handler) removeBlob(account, container, name, path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	_ = os.Remove(h.blobRecordPath(account, container, name))
	_ = os.RemoveAll(h.stageDir(account, container, name))
	h.pruneEmptyParents(h.containerDir(account, container), filepath.Dir(path))
	return nil
}

// pruneEmptyParents removes dir and its parents up to (not including)
// stop while they are empty, so deleting the last blob under a prefix
// removes the prefix from hierarchical listings too.
func (h *Handler) pruneEmptyParents(stop, dir string) {
	for within(dir, stop) && dir != stop {
		if err := os.Remove(dir); err != nil {
			return // not empty (or gone): stop here
		}
		dir = filepath.Dir(dir)
	}
}

// newRecord starts the sidecar of a blob written now.
func (h *Handler) newRecord(now time.Time) blobRecord {
	return blobRecord{ETag: h.etags.next(now), LastModified: now, Created: now, ContentType: defaultContentType}
}
