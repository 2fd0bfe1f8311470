// Package localinfo is the rendezvous between a local workspace server
// (internal/localws) and the clients on the same machine (internal/azml,
// ml local stop): Dir/server.json says where the server listens and with
// which token, and Dir/server.lock, flocked for the server's life, says
// whether it still runs. It is its own package so that the client reads
// the file without importing the server.
package localinfo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FileName is the name of the file a started server writes into its
// Dir, and removes on Shutdown.
const FileName = "server.json"

// Info is the content of Dir/server.json: everything a client on this
// machine needs to talk to a running local workspace. The file is mode 0600
// because Token grants full access.
type Info struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8765; it is the
	// ResourceManager endpoint for ARM clients.
	URL string `json:"url"`
	// PID is the serving process.
	PID int `json:"pid"`
	// Token is the bearer token every authenticated route requires.
	Token         string `json:"token"`
	Subscription  string `json:"subscription"`
	ResourceGroup string `json:"resourceGroup"`
	Workspace     string `json:"workspace"`
	// StorageAccount is the blob account of the workspaceblobstore
	// datastore; its account URL is URL + "/blob/" + StorageAccount.
	StorageAccount string `json:"storageAccount"`
	// StartedAt is when the server started listening (UTC).
	StartedAt time.Time `json:"startedAt"`
}

// ErrNotRunning is wrapped by Read when dir holds no server.json.
var ErrNotRunning = errors.New("no local workspace is running")

// notRunningError says where no server runs and how to start one; it is
// both ErrNotRunning and fs.ErrNotExist for errors.Is, without printing the
// latter's "file does not exist".
type notRunningError struct{ dir string }

func (e notRunningError) Error() string {
	return fmt.Sprintf("%v in %s (no %s): start one with `ml local serve`", ErrNotRunning, e.dir, FileName)
}

func (e notRunningError) Is(target error) bool {
	return target == ErrNotRunning || target == fs.ErrNotExist
}

// lockFile is held (flock) by the server while it runs; see Lock.
const lockFile = "server.lock"

// AlreadyRunningError is Lock on a folder whose server is running.
type AlreadyRunningError struct{ dir string }

func (e AlreadyRunningError) Error() string {
	return fmt.Sprintf("a local workspace is already running in %s; stop it with `ml local stop`", e.dir)
}

// StaleError is Read finding a server.json whose server is gone
// (killed, crashed, or its pid reused by another program): Info is what
// the file says. It wraps ErrNotRunning.
type StaleError struct {
	Dir  string
	Info *Info
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%v in %s: the server that wrote %s (pid %d, %s) is gone; start one with `ml local serve`",
		ErrNotRunning, e.Dir, FileName, e.Info.PID, e.Info.URL)
}

func (e *StaleError) Is(target error) bool { return target == ErrNotRunning }

// Read reads dir/server.json of a running server. When the file
// does not exist the error wraps ErrNotRunning (and fs.ErrNotExist) and
// says how to start one; when it is left over from a server that is gone
// (no process holds the folder's lock) the error is a *StaleError.
func Read(dir string) (*Info, error) {
	info, err := readFile(dir)
	if err != nil {
		return nil, err
	}
	held, err := lockHeld(dir)
	if err != nil {
		return nil, fmt.Errorf("check whether the local workspace in %s is running: %w", dir, err)
	}
	if !held {
		return nil, &StaleError{Dir: dir, Info: info}
	}
	return info, nil
}

// Holds reports whether a server holds dir (is running there, or is
// still shutting down); a dead or reaped process never does.
func Holds(dir string) bool {
	held, err := lockHeld(dir)
	return held || err != nil
}

// readFile reads and checks dir/server.json.
func readFile(dir string) (*Info, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notRunningError{dir}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("read %s: not valid JSON (%v): delete it and restart `ml local serve`", path, err)
	}
	if info.URL == "" || info.Token == "" {
		return nil, fmt.Errorf("read %s: url or token missing: delete it and restart `ml local serve`", path)
	}
	return &info, nil
}

// Write writes dir/server.json (mode 0600) atomically (temp file + rename) so a
// client never reads half of it.
func Write(dir string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".server-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, FileName)); err != nil {
		return fmt.Errorf("write %s: %w", FileName, err)
	}
	return nil
}
