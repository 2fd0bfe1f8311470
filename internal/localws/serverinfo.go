package localws

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ServerInfoFile is the name of the file a started server writes into its
// Dir, and removes on Shutdown.
const ServerInfoFile = "server.json"

// ServerInfo is the content of Dir/server.json: everything a client on this
// machine needs to talk to a running local workspace. The file is mode 0600
// because Token grants full access.
type ServerInfo struct {
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

// ErrNotRunning is wrapped by ReadServerInfo when dir holds no server.json.
var ErrNotRunning = errors.New("no local workspace is running")

// notRunningError says where no server runs and how to start one; it is
// both ErrNotRunning and fs.ErrNotExist for errors.Is, without printing the
// latter's "file does not exist".
type notRunningError struct{ dir string }

func (e notRunningError) Error() string {
	return fmt.Sprintf("%v in %s (no %s): start one with `ml local serve`", ErrNotRunning, e.dir, ServerInfoFile)
}

func (e notRunningError) Is(target error) bool {
	return target == ErrNotRunning || target == fs.ErrNotExist
}

// ReadServerInfo reads dir/server.json. When the file does not exist the
// error wraps ErrNotRunning (and fs.ErrNotExist) and says how to start one.
func ReadServerInfo(dir string) (*ServerInfo, error) {
	path := filepath.Join(dir, ServerInfoFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notRunningError{dir}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var info ServerInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("read %s: not valid JSON (%v): delete it and restart `ml local serve`", path, err)
	}
	if info.URL == "" || info.Token == "" {
		return nil, fmt.Errorf("read %s: url or token missing: delete it and restart `ml local serve`", path)
	}
	return &info, nil
}

// writeServerInfo writes the file atomically (temp file + rename) so a
// client never reads half of it.
func writeServerInfo(dir string, info ServerInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".server-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", ServerInfoFile, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", ServerInfoFile, err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", ServerInfoFile, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", ServerInfoFile, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, ServerInfoFile)); err != nil {
		return fmt.Errorf("write %s: %w", ServerInfoFile, err)
	}
	return nil
}
