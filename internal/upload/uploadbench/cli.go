package uploadbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// BuildML compiles ml's real command (./cmd/ml, as make build does) into
// dir. It runs from the uploadbench folder, like BuildLauncher.
func BuildML(ctx context.Context, dir string) (string, error) {
	pkgDir, err := sourceDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ml")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../../cmd/ml")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("uploadbench: build ml: %v\n%s", err, out)
	}
	return bin, nil
}

// Workspace is a running `ml local serve` (its own process), optionally
// with its datastore in an existing account.
type Workspace struct {
	ML   string // the ml binary
	Dir  string // its state folder (ML_LOCAL_DIR)
	proc *exec.Cmd
}

// StartWorkspace starts `ml local serve --port 0` on a new folder below
// parent, with conn as --storage-connection-string when set, and waits for
// its server.json.
func StartWorkspace(ctx context.Context, ml, parent, conn string) (*Workspace, error) {
	dir, err := os.MkdirTemp(parent, "ws-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(ml, "local", "serve", "--port", "0", "--dir", dir)
	cmd.Env = append(os.Environ(), localws.EnvStorageConnectionString+"="+conn)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &Workspace{ML: ml, Dir: dir, proc: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := localinfo.Read(dir); err == nil {
			return w, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, errors.Join(fmt.Errorf("ml local serve in %s did not start within 30s", dir), w.Close())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close stops the server and removes its folder.
func (w *Workspace) Close() error {
	if w.proc.Process != nil {
		_ = w.proc.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- w.proc.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = w.proc.Process.Kill()
			<-done
		}
	}
	return os.RemoveAll(w.Dir)
}

// Env is the environment of ml commands against this workspace, with the
// hash cache in cacheDir.
func (w *Workspace) Env(cacheDir string) []string {
	return append(os.Environ(), "ML_LOCAL=1", "ML_LOCAL_DIR="+w.Dir, "XDG_CACHE_HOME="+cacheDir, "AZURE_CONFIG_DIR="+filepath.Join(w.Dir, "azure"))
}

// Datastore opens workspaceblobstore the way ml does, to check uploads.
func (w *Workspace) Datastore(ctx context.Context) (*azml.Datastore, error) {
	info, err := localinfo.Read(w.Dir)
	if err != nil {
		return nil, err
	}
	c, err := azml.NewClient(azml.NewLocalTarget(info), os.Getenv)
	if err != nil {
		return nil, err
	}
	return c.OpenDatastore(ctx, azml.DefaultDatastore)
}

var assetSeq atomic.Int64

// DataCreate runs `ml data create --path tree -n <name> --type uri_folder`
// measured, and returns the datastore path of the upload.
func (r *Runner) DataCreate(ctx context.Context, w *Workspace, tree *Tree, cacheDir string) (*Measurement, string, error) {
	name := fmt.Sprintf("bench-%d", assetSeq.Add(1))
	m, err := r.Launcher.Run(ctx, w.Env(cacheDir), w.ML, "data", "create", "--path", tree.Root, "-n", name, "--type", "uri_folder", "--only-show-errors", "--query", "path", "-o", "tsv")
	if err != nil {
		return nil, "", err
	}
	uri := strings.TrimSpace(string(m.Stdout))
	const prefix = "azureml://datastores/" + azml.DefaultDatastore + "/paths/"
	p, ok := strings.CutPrefix(uri, prefix)
	if !ok {
		return nil, "", fmt.Errorf("ml data create printed %q, not a %s... path", uri, prefix)
	}
	return m, strings.TrimSuffix(p, "/"), nil
}

// BaselineRequest asks a child for the plain-azblob baseline: every file of
// Source uploaded with blockblob.UploadFile and azblob's defaults (no
// checksums, no content hash), BaselineFiles at a time, under Prefix.
type BaselineRequest struct {
	Source       string `json:"source"`
	ContainerURL string `json:"containerUrl"`
	Account      string `json:"account"`
	Key          string `json:"key"`
	Prefix       string `json:"prefix"`
}

// EnvBaseline holds a BaselineRequest: the test binary then uploads as
// the baseline (RunBaseline) instead of running its tests.
const EnvBaseline = "ML_UPLOADBENCH_BASELINE"

// BaselineFiles is how many files the baseline uploads at once: ml's
// default file concurrency on this machine, so both sides keep as many
// requests in flight.
const BaselineFiles = 16

// RunBaseline performs $ML_UPLOADBENCH_BASELINE and returns the exit code.
func RunBaseline(ctx context.Context) int {
	if err := runBaseline(ctx, os.Getenv(EnvBaseline)); err != nil {
		fmt.Fprintf(os.Stderr, "uploadbench baseline: %v\n", err)
		return 1
	}
	return 0
}

func runBaseline(ctx context.Context, raw string) error {
	var req BaselineRequest
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return fmt.Errorf("%s is not a JSON BaselineRequest: %v", EnvBaseline, err)
	}
	c, err := SharedKeyContainer(req.ContainerURL, req.Account, req.Key)
	if err != nil {
		return err
	}
	var files []string
	err = filepath.WalkDir(req.Source, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(BaselineFiles)
	for _, p := range files {
		g.Go(func() error {
			rel, _ := filepath.Rel(req.Source, p)
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = c.NewBlockBlobClient(req.Prefix+"/"+filepath.ToSlash(rel)).UploadFile(gctx, f, &blockblob.UploadFileOptions{})
			return err
		})
	}
	return g.Wait()
}

// Baseline runs the plain-azblob upload of tree into dst (a container of
// Azurite) in a measured child process.
func (r *Runner) Baseline(ctx context.Context, tree *Tree, dst *Destination, prefix string) (*Measurement, error) {
	data, err := json.Marshal(BaselineRequest{Source: tree.Root, ContainerURL: dst.Request.ContainerURL, Account: dst.Request.Account, Key: dst.Request.Key, Prefix: prefix})
	if err != nil {
		return nil, err
	}
	env := append(r.env()[:len(r.env()):len(r.env())], EnvBaseline+"="+string(data))
	return r.Launcher.Run(ctx, env, r.Child, "-test.run=^$")
}

// CountBlobs counts the blobs below prefix in c and their bytes (the
// baseline writes no marker, so VerifyUpload does not apply).
func CountBlobs(ctx context.Context, c *container.Client, prefix string) (int, int64, error) {
	p := strings.TrimSuffix(prefix, "/") + "/"
	pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &p})
	n, bytes := 0, int64(0)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return 0, 0, err
		}
		for _, b := range page.Segment.BlobItems {
			n++
			if b.Properties != nil && b.Properties.ContentLength != nil {
				bytes += *b.Properties.ContentLength
			}
		}
	}
	return n, bytes, nil
}
