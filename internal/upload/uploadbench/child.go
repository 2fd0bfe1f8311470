package uploadbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/upload"
)

// EnvChild holds a ChildRequest as JSON. A test binary that finds it set
// runs RunChild instead of its tests (see the package's TestMain).
const EnvChild = "ML_UPLOADBENCH_CHILD"

// ChildRequest tells a child process what to upload where. Exactly one
// destination is set: ContainerURL (with Account and Key) for Azurite or any
// Shared Key container, or LocalDir for a running local workspace.
type ChildRequest struct {
	// Source is the folder to upload.
	Source string `json:"source"`
	// ContainerURL is the container's URL; Account and Key sign requests.
	ContainerURL string `json:"containerUrl,omitempty"`
	Account      string `json:"account,omitempty"`
	Key          string `json:"key,omitempty"`
	// LocalDir is the state folder of a running local workspace; the child
	// reads its server.json and opens workspaceblobstore like `ml --local`.
	LocalDir string `json:"localDir,omitempty"`
}

// ChildReport is what a child prints on stdout, as JSON.
type ChildReport struct {
	// Skipped is set when the content was already uploaded.
	Skipped bool `json:"skipped"`
	// Cached is set when the plan came from the hash cache (no content
	// was read).
	Cached bool `json:"cached"`
	// Files and Bytes are what Execute sent.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// RemotePath is the upload's folder in the container.
	RemotePath string `json:"remotePath"`
	// PlanNanos is the time NewPlan took (hashing the tree); UploadNanos
	// the time of Execute.
	PlanNanos   int64 `json:"planNanos"`
	UploadNanos int64 `json:"uploadNanos"`
}

// IsChild reports whether this process was started as an upload child.
func IsChild() bool { return os.Getenv(EnvChild) != "" }

// ChildEnv returns env plus the variable that makes the test binary run req.
func ChildEnv(env []string, req ChildRequest) ([]string, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return append(env[:len(env):len(env)], EnvChild+"="+string(data)), nil
}

// RunChild performs the upload described by $ML_UPLOADBENCH_CHILD the way
// ml does — OptionsFromEnv (so ML_UPLOAD_* apply), NewPlanWith with the
// user's hash cache (ML_UPLOAD_NO_CACHE turns it off), Execute — and
// writes a ChildReport to stdout. It returns the process exit code: 0, or 1
// with the error on stderr.
func RunChild(ctx context.Context, stdout, stderr io.Writer) int {
	rep, err := runChild(ctx, os.Getenv(EnvChild))
	if err != nil {
		fmt.Fprintf(stderr, "uploadbench child: %v\n", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(rep); err != nil {
		fmt.Fprintf(stderr, "uploadbench child: %v\n", err)
		return 1
	}
	return 0
}

func runChild(ctx context.Context, raw string) (*ChildReport, error) {
	var req ChildRequest
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		// The value holds an account key: name the variable, never echo it.
		return nil, fmt.Errorf("%s is not a JSON ChildRequest (%v); set it with ChildEnv", EnvChild, err)
	}
	if req.Source == "" {
		return nil, errors.New("ChildRequest.source is empty: give the folder to upload")
	}
	opts, err := upload.OptionsFromEnv()
	if err != nil {
		return nil, err
	}
	c, err := req.containerClient(ctx)
	if err != nil {
		return nil, err
	}
	planOpts, err := upload.DefaultPlanOptions(opts.Layout, false, os.Getenv)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	plan, err := upload.NewPlanWith(ctx, req.Source, planOpts)
	if err != nil {
		return nil, err
	}
	planned := time.Now()
	res, err := upload.Execute(ctx, c, plan, opts)
	if err != nil {
		return nil, err
	}
	return &ChildReport{
		Skipped:     res.Skipped,
		Cached:      plan.Cached,
		Files:       res.Files,
		Bytes:       res.Bytes,
		RemotePath:  res.RemotePath,
		PlanNanos:   planned.Sub(start).Nanoseconds(),
		UploadNanos: res.Duration.Nanoseconds(),
	}, nil
}

// containerClient builds the client ml would use for the destination.
func (r ChildRequest) containerClient(ctx context.Context) (*container.Client, error) {
	switch {
	case (r.ContainerURL == "") == (r.LocalDir == ""):
		return nil, errors.New("ChildRequest: set either containerUrl (with account and key) or localDir")
	case r.LocalDir != "":
		info, err := localinfo.Read(r.LocalDir)
		if err != nil {
			return nil, err
		}
		client, err := azml.NewClient(azml.NewLocalTarget(info), os.Getenv)
		if err != nil {
			return nil, err
		}
		ds, err := client.OpenDatastore(ctx, azml.DefaultDatastore)
		if err != nil {
			return nil, err
		}
		return ds.Client, nil
	default:
		return SharedKeyContainer(r.ContainerURL, r.Account, r.Key)
	}
}

// SharedKeyContainer is a container client signed with an account key and
// upload.RetryOptions, as ml builds one for an account-key datastore.
func SharedKeyContainer(containerURL, account, key string) (*container.Client, error) {
	cred, err := container.NewSharedKeyCredential(account, key)
	if err != nil {
		// The SDK's message does not include the key.
		return nil, fmt.Errorf("account key of %s: %w", account, err)
	}
	return container.NewClientWithSharedKeyCredential(containerURL, cred, &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: upload.RetryOptions()},
	})
}
