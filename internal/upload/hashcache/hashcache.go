// Package hashcache remembers what hashing a folder produced, so that a
// later run over the same, unchanged folder can decide from stat alone
// (without reading a byte of content) that the result still holds.
//
// An entry is valid only for the exact sequence of items the caller lists
// — every name in walk order and, for each file, its device, inode, size,
// modification and change times in nanoseconds — under the same key (the
// source path and every parameter that shapes the result). Any difference
// in any field is a miss; there is no partial trust. Like git's index, an
// entry is never stored when a file was modified so recently that a later
// change could keep the same timestamps (the "racy" case, see Racy).
//
// Entries live in one file each under the user's cache folder
// (os.UserCacheDir()/ml/hashes), files 0600 in a 0700 folder. A write goes
// to a temporary file that is renamed into place, so concurrent ml
// processes never read a torn entry: each sees an old or a new one, and a
// file that does not decode or names another key is a miss.
package hashcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// EnvDisable turns the cache off when set to anything but "", "0" or
// "false" (as --no-cache does).
const EnvDisable = "ML_UPLOAD_NO_CACHE"

// version is bumped whenever the meaning of an entry changes.
const version = 1

// maxEntryBytes bounds what is read back: a folder of a million files
// stays well below it.
const maxEntryBytes = 512 << 20

// Item is one step of a walk: a directory or a file, by its path below the
// walked root. Files carry their Stat.
type Item struct {
	Path string `json:"p"`
	Dir  bool   `json:"d,omitempty"`
	Stat Stat   `json:"s"`
}

// Stat is what identifies a file's content without reading it.
type Stat struct {
	Dev     uint64 `json:"dev,omitempty"`
	Ino     uint64 `json:"ino,omitempty"`
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime"`
	CtimeNs int64  `json:"ctime,omitempty"`
}

// Cache is a folder of entries. A nil *Cache caches nothing.
type Cache struct {
	dir string
}

// Open returns the cache in dir, creating it 0700. A folder that exists
// with group or other access is tightened to 0700; one owned by someone
// else is refused.
func Open(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hash cache %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("hash cache %s: %w", dir, err)
	}
	if !ownedByMe(fi) {
		return nil, fmt.Errorf("hash cache %s belongs to another user; remove it or set %s=1", dir, EnvDisable)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("hash cache %s: %w", dir, err)
		}
	}
	return &Cache{dir: dir}, nil
}

// Default opens os.UserCacheDir()/ml/hashes, or returns nil (no cache)
// when getenv(EnvDisable) is set.
func Default(getenv func(string) string) (*Cache, error) {
	if Disabled(getenv(EnvDisable)) {
		return nil, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("hash cache: %w (set XDG_CACHE_HOME, or %s=1 to hash every time)", err, EnvDisable)
	}
	return Open(filepath.Join(base, "ml", "hashes"))
}

// Disabled reports whether v, the value of EnvDisable, turns the cache off.
func Disabled(v string) bool {
	return v != "" && v != "0" && v != "false"
}

type entry struct {
	Version int             `json:"version"`
	Key     string          `json:"key"`
	Items   []Item          `json:"items"`
	Value   json.RawMessage `json:"value"`
}

func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// Get returns the value stored for key when it was stored for exactly
// items; ok is false otherwise.
func (c *Cache) Get(key string, items []Item) (value json.RawMessage, ok bool) {
	if c == nil {
		return nil, false
	}
	f, err := os.Open(c.path(key))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxEntryBytes || !ownedByMe(fi) {
		return nil, false
	}
	var e entry
	if err := json.NewDecoder(f).Decode(&e); err != nil {
		return nil, false
	}
	if e.Version != version || e.Key != key || len(e.Items) != len(items) {
		return nil, false
	}
	for i := range items {
		if e.Items[i] != items[i] {
			return nil, false
		}
	}
	return e.Value, true
}

// Put stores value for key and items unless one of the files is racy
// relative to start, the time the walk began (then it returns false and
// stores nothing: the next run hashes again). Errors mean nothing was
// stored; callers may ignore them.
func (c *Cache) Put(key string, items []Item, start time.Time, value any) (bool, error) {
	if c == nil {
		return false, nil
	}
	for _, it := range items {
		if !it.Dir && Racy(it.Stat, start) {
			return false, nil
		}
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(entry{Version: version, Key: key, Items: items, Value: raw})
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(c.dir, ".entry-*")
	if err != nil {
		return false, err
	}
	// CreateTemp makes the file 0600.
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return false, err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return false, err
	}
	if err := os.Rename(tmp.Name(), c.path(key)); err != nil {
		os.Remove(tmp.Name())
		return false, err
	}
	return true, nil
}

// Racy reports whether a file with st, seen by a walk that began at start,
// could still change without changing st: its modification or change time
// is within the timestamp granularity of start (or after it). Such a file
// is hashed again next time. The granularity is taken as 2 s when the
// timestamps have no sub-second part (FAT, HFS+, ext3 and some network
// file systems) and 100 ms otherwise (nanosecond file systems, whose
// clock still advances only once per kernel tick).
func Racy(st Stat, start time.Time) bool {
	latest := max(st.MtimeNs, st.CtimeNs)
	window := 100 * time.Millisecond
	if st.MtimeNs%int64(time.Second) == 0 {
		window = 2 * time.Second
	}
	return latest >= start.Add(-window).UnixNano()
}

// StatOf is the Stat of fi (from os.Stat or File.Stat).
func StatOf(fi fs.FileInfo) Stat {
	st := Stat{Size: fi.Size(), MtimeNs: fi.ModTime().UnixNano()}
	sysStat(fi, &st)
	return st
}
