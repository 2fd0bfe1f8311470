// Package datastore is where the local workspace's workspaceblobstore
// keeps its blobs, behind one small abstraction: the workspace's own blob
// service (files on this machine) or an existing storage account (Azurite,
// or Azure Storage, given by a connection string).
//
// The batch runtime works on local files, so every datastore path a job
// reads goes through Materialize (the file itself on the local store, a
// downloaded copy on an account) and every output folder through
// OutputDir (the folder itself, or a staging folder that publish uploads
// after the job). Nothing else in the workspace maps datastore paths to
// files.
package datastore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Store holds the datastore's blobs. Paths are relative and
// slash-separated, already checked not to leave the container.
type Store interface {
	// Stat reports whether path p is a blob (isDir false) or a folder with
	// blobs below it (isDir true); exists is false for neither.
	Stat(ctx context.Context, p string) (exists, isDir bool, err error)
	// Materialize returns a local path holding p's content (a file, or a
	// folder for a folder), using stage (a folder of the caller's, created
	// on demand) for copies.
	Materialize(ctx context.Context, p, stage string) (string, error)
	// OutputDir returns the local folder where a job writes folder p, and
	// publish, which makes what the folder holds visible at p (call it once
	// the job is done).
	OutputDir(ctx context.Context, p, stage string) (dir string, publish func(context.Context) error, err error)
	// Publish makes the files of local folder dir visible below folder p
	// (an upload on an account; on the local store, whose OutputDir is the
	// folder itself, a sync to disk).
	Publish(ctx context.Context, dir, p string) error
	// List returns the blobs below folder p, by name relative to it, sorted.
	List(ctx context.Context, p string) ([]Entry, error)
	// Account is how clients reach the store.
	Account() Account
}

// Entry is one blob of a listing.
type Entry struct {
	Name string
	Size int64
}

// Account is the storage account behind a Store, as the datastore resource
// and listSecrets present it.
type Account struct {
	// Name and Container locate the blobs.
	Name, Container string
	// URL is the account URL clients use (path-style for Azurite and the
	// local blob service).
	URL string
	// Endpoint and Protocol are the datastore's endpoint and protocol
	// properties; see EndpointOf.
	Endpoint, Protocol string
	// Key is the base64 account key, SAS the SAS token (one is set).
	Key, SAS string
}

// Local is the workspace's own blob service: a blob is a file, found by
// Path (the blob service's LocalPath for the datastore's container).
type Local struct {
	Path    func(p string) (string, error)
	Details Account
	// Sync returns once what was written into the container is on disk
	// (the blob service's Sync); nil does not wait.
	Sync func(context.Context) error
}

// sync is Publish on the local store: a job's files are already in the
// container, and publishing them means waiting until they are on disk, so
// the job's end is recorded only over outputs a power loss cannot take.
func (l *Local) sync(ctx context.Context) error {
	if l.Sync == nil {
		return nil
	}
	return l.Sync(ctx)
}

// Stat implements Store.
func (l *Local) Stat(_ context.Context, p string) (bool, bool, error) {
	file, err := l.Path(p)
	if err != nil {
		return false, false, err
	}
	fi, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, fi.IsDir(), nil
}

// Materialize implements Store: the file is already local.
func (l *Local) Materialize(_ context.Context, p, _ string) (string, error) {
	return l.Path(p)
}

// OutputDir implements Store: the job writes into the container itself.
func (l *Local) OutputDir(_ context.Context, p, _ string) (string, func(context.Context) error, error) {
	dir, err := l.Path(p + "/")
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	return dir, l.sync, nil
}

// Publish implements Store: a folder of the container is already there;
// it is synced to disk.
func (l *Local) Publish(ctx context.Context, _, _ string) error { return l.sync(ctx) }

// List implements Store.
func (l *Local) List(_ context.Context, p string) ([]Entry, error) {
	dir, err := l.Path(p + "/")
	if err != nil {
		return nil, err
	}
	return listFiles(dir)
}

// Account implements Store.
func (l *Local) Account() Account { return l.Details }

// listFiles lists the regular files under dir (slash paths relative to
// it), skipping symbolic links; a missing dir is an empty listing.
func listFiles(dir string) ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, Entry{Name: filepath.ToSlash(rel), Size: fi.Size()})
		return nil
	})
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out, err
}
