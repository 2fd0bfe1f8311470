package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// blobRecord is the sidecar of one blob: the properties a file cannot hold.
// It is valid only while the file still has Size and ModTime; otherwise the
// file was replaced outside the service and its properties are derived
// from the file alone (see properties).
type blobRecord struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`

	ETag         string    `json:"etag"`
	LastModified time.Time `json:"lastModified"`
	Created      time.Time `json:"created"`

	ContentType        string            `json:"contentType,omitempty"`
	ContentEncoding    string            `json:"contentEncoding,omitempty"`
	ContentLanguage    string            `json:"contentLanguage,omitempty"`
	ContentDisposition string            `json:"contentDisposition,omitempty"`
	CacheControl       string            `json:"cacheControl,omitempty"`
	ContentMD5         []byte            `json:"contentMD5,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`

	// Blocks is the committed block list of a blob made by Put Block List,
	// in order: each block is the next Size bytes of the file. A later Put
	// Block List may name them again (Committed or Latest), as in Azure.
	Blocks []committedBlock `json:"blocks,omitempty"`
}

// committedBlock is one block of a committed block list.
type committedBlock struct {
	// Key is the block id in staging-file form (hex of the decoded id).
	Key  string `json:"key"`
	Size int64  `json:"size"`
}

// containerRecord is the sidecar of a container.
type containerRecord struct {
	ETag         string            `json:"etag"`
	LastModified time.Time         `json:"lastModified"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// nameKey is the file name a blob's sidecar and staging folder use: a hash,
// so any blob name of up to 1024 characters fits one path segment.
func nameKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func (h *Handler) containerMetaDir(account, container string) string {
	return filepath.Join(h.metaRoot(), account, container)
}

func (h *Handler) containerRecordPath(account, container string) string {
	return filepath.Join(h.containerMetaDir(account, container), "container.json")
}

func (h *Handler) blobRecordPath(account, container, name string) string {
	key := nameKey(name)
	return filepath.Join(h.containerMetaDir(account, container), key[:2], key+".json")
}

// readJSON loads a sidecar; a missing one is (false, nil).
func readJSON(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("sidecar %s: %w", path, err)
	}
	return true, nil
}

// writeJSON replaces a sidecar atomically.
func (h *Handler) writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(h.tmpDir(), "meta-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// etagSource hands out ETags in Azure's form ("0x" and 15 hex digits) that
// never repeat within a process and grow with time across restarts.
type etagSource struct{ last atomic.Int64 }

func (s *etagSource) next(now time.Time) string {
	for {
		prev := s.last.Load()
		n := now.UnixNano()
		if n <= prev {
			n = prev + 1
		}
		if s.last.CompareAndSwap(prev, n) {
			return fmt.Sprintf("\"0x%015X\"", n)
		}
	}
}

// fileETag derives an ETag from a file's size and modification time, for
// files without a valid sidecar.
func fileETag(fi fs.FileInfo) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", fi.ModTime().UnixNano(), fi.Size()))
	return "\"0x" + fmt.Sprintf("%X", sum[:8])[:15] + "\""
}
