package localtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/app"
	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// Names the environment registers.
const (
	endpointName   = "ep"
	deploymentName = "blue"
)

// env is a started local workspace with endpoint "ep" and its default
// model deployment "blue", and a fake runner whose behaviour each job's
// input chooses (see fakeRunner).
type env struct {
	t      testing.TB
	dir    string
	srv    *localws.Server
	runner *fakeRunner
	client *azml.Client
	arm    *armmachinelearning.ClientFactory
	// home is an empty HOME and az config folder, so no real config leaks in.
	home string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), home: t.TempDir(), runner: newFakeRunner()}
	srv, err := localws.New(localws.Options{Dir: e.dir, Addr: "127.0.0.1:0", Runner: e.runner})
	if err != nil {
		t.Fatalf("localws.New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	e.srv = srv
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	info, err := localinfo.Read(e.dir)
	if err != nil {
		t.Fatalf("ReadServerInfo: %v", err)
	}
	target := azml.NewLocalTarget(info)
	if e.client, err = azml.NewClient(target, e.getenv); err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if e.arm, err = armmachinelearning.NewClientFactory(target.Subscription, target.Credential, target.ARMOptions()); err != nil {
		t.Fatalf("NewClientFactory: %v", err)
	}
	e.setupDeployment()
	return e
}

// getenv is the environment ml runs with: the local workspace, nothing else.
func (e *env) getenv(k string) string {
	switch k {
	case "ML_LOCAL":
		return "1"
	case localws.EnvDir:
		return e.dir
	case "HOME", "AZURE_CONFIG_DIR":
		return e.home
	}
	return ""
}

// result is one ml run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// ml runs ml in-process with args and extra environment variables.
func (e *env) ml(extraEnv map[string]string, args ...string) result {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	getenv := func(k string) string {
		if v, ok := extraEnv[k]; ok {
			return v
		}
		return e.getenv(k)
	}
	code := app.Run(context.Background(), args, ios, getenv)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// run runs ml and fails the test unless it exits 0.
func (e *env) run(args ...string) result {
	e.t.Helper()
	r := e.ml(nil, args...)
	if r.code != 0 {
		e.t.Fatalf("ml %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// upload stores files (blob name → content) on workspaceblobstore.
func (e *env) upload(files map[string]string) {
	e.t.Helper()
	ctx := context.Background()
	ds, err := e.client.OpenDatastore(ctx, azml.DefaultDatastore)
	if err != nil {
		e.t.Fatalf("open datastore: %v", err)
	}
	for name, content := range files {
		if _, err := ds.Client.NewBlockBlobClient(name).UploadBuffer(ctx, []byte(content), nil); err != nil {
			e.t.Fatalf("upload %s: %v", name, err)
		}
	}
}

var pollFast = &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond}

// setupDeployment registers code and model versions and creates endpoint
// ep with default model deployment blue, through the ARM clients.
func (e *env) setupDeployment() {
	e.t.Helper()
	ctx := context.Background()
	info, _ := localinfo.Read(e.dir)
	e.upload(map[string]string{
		"LocalUpload/code1/src/score.py":       "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n",
		"LocalUpload/model1/model/weights.txt": "42",
	})
	rg, ws := info.ResourceGroup, info.Workspace
	code, err := e.arm.NewCodeVersionsClient().CreateOrUpdate(ctx, rg, ws, "score-code", "1", armmachinelearning.CodeVersion{
		Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/code1/src")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create code version: %v", err)
	}
	model, err := e.arm.NewModelVersionsClient().CreateOrUpdate(ctx, rg, ws, "heart-model", "1", armmachinelearning.ModelVersion{
		Properties: &armmachinelearning.ModelVersionProperties{ModelURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/model1/model"), ModelType: to.Ptr("custom_model")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create model version: %v", err)
	}
	e.putEndpoint(nil)
	poller, err := e.arm.NewBatchDeploymentsClient().BeginCreateOrUpdate(ctx, rg, ws, endpointName, deploymentName, armmachinelearning.BatchDeployment{
		Location: to.Ptr("local"),
		Properties: &armmachinelearning.BatchDeploymentProperties{
			CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: code.ID, ScoringScript: to.Ptr("score.py")},
			Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: model.ID},
			Compute:           to.Ptr("azureml:cpu-cluster"),
		},
	}, nil)
	if err != nil {
		e.t.Fatalf("create deployment: %v", err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast); err != nil {
		e.t.Fatalf("create deployment: %v", err)
	}
	e.putEndpoint(to.Ptr(deploymentName))
}

func (e *env) putEndpoint(defaultDeployment *string) {
	e.t.Helper()
	ctx := context.Background()
	props := &armmachinelearning.BatchEndpointProperties{AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken), Description: to.Ptr("test endpoint")}
	if defaultDeployment != nil {
		props.Defaults = &armmachinelearning.BatchEndpointDefaults{DeploymentName: defaultDeployment}
	}
	poller, err := e.arm.NewBatchEndpointsClient().BeginCreateOrUpdate(ctx, e.client.T.ResourceGroup, e.client.T.Workspace, endpointName,
		armmachinelearning.BatchEndpoint{Location: to.Ptr("local"), Properties: props}, nil)
	if err != nil {
		e.t.Fatalf("create endpoint: %v", err)
	}
	if _, err := poller.PollUntilDone(ctx, pollFast); err != nil {
		e.t.Fatalf("create endpoint: %v", err)
	}
}

// invoke starts a job on ep whose input is a local folder holding files
// (name → content) and returns the job's name. The file names tell the fake
// runner what to do.
func (e *env) invoke(files map[string]string, extra ...string) string {
	e.t.Helper()
	in := e.t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(content), 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	args := append([]string{"batch-endpoint", "invoke", "-n", endpointName, "--input", in, "--query", "name", "-o", "tsv"}, extra...)
	name := strings.TrimSpace(e.run(args...).stdout)
	if name == "" {
		e.t.Fatalf("invoke printed no job name")
	}
	return name
}

// waitStatus polls the ARM job until its status is one of want. The
// deadline only guards against a hang; no assertion depends on timing.
func (e *env) waitStatus(job string, want ...string) string {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := e.client.GetJob(context.Background(), job)
		if err != nil {
			e.t.Fatalf("get job %s: %v", job, err)
		}
		status := azml.JobStatus(j)
		for _, w := range want {
			if status == w {
				return status
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s is %s after 30s, want one of %v", job, status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeRunner stands in for the Python runtime. What it does depends on
// the input files' names:
//
//	fail*   log a user error to logs/user/error.txt and fail the job
//	hold*   report Running and wait until the job is canceled
//	empty*  complete without writing any output file
//	big*    also write big.bin (9 MiB) to the output, past one download block
//	other   write predictions.csv (one line per file) and details/rows.txt
//
// It records every file it wrote, per job, so tests can compare downloads
// byte for byte.
type fakeRunner struct {
	mu      sync.Mutex
	written map[string]map[string][]byte // job → output-relative path → content
	started chan string
}

func newFakeRunner() *fakeRunner {
	return &fakeRunner{written: map[string]map[string][]byte{}, started: make(chan string, 100)}
}

// userError is what a failing job's scoring script raised.
const userError = "ValueError: row 3 of fail.csv has 2 columns, the model wants 13"

func (f *fakeRunner) Run(ctx context.Context, spec localws.RunSpec, report func(localws.Progress)) (localws.RunResult, error) {
	f.started <- spec.JobName
	var files []string
	for _, in := range spec.Inputs {
		_ = filepath.WalkDir(in, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, filepath.Base(p))
			}
			return nil
		})
	}
	sort.Strings(files)
	has := func(prefix string) bool {
		for _, name := range files {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		}
		return false
	}
	report(localws.Progress{Status: "Running", MiniBatchesTotal: 1, ItemsTotal: len(files)})
	logDir := filepath.Join(spec.JobDir, "logs", "user")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return localws.RunResult{}, err
	}
	switch {
	case has("fail"):
		if err := os.WriteFile(filepath.Join(logDir, "error.txt"), []byte(userError+"\n"), 0o644); err != nil {
			return localws.RunResult{}, err
		}
		return localws.RunResult{Progress: localws.Progress{MiniBatchesTotal: 1, MiniBatchesFailed: 1, ItemsTotal: len(files), ItemsFailed: len(files)}},
			fmt.Errorf("the error threshold was exceeded: 1 of 1 mini-batches failed")
	case has("hold"):
		<-ctx.Done()
		return localws.RunResult{}, ctx.Err()
	case has("empty"):
		return localws.RunResult{Progress: localws.Progress{MiniBatchesTotal: 1, MiniBatchesSucceeded: 1, ItemsTotal: len(files)}}, nil
	}
	out := map[string][]byte{}
	var preds bytes.Buffer
	for _, name := range files {
		fmt.Fprintf(&preds, "%s,%d\n", name, len(name)%2)
	}
	out[spec.OutputFileName] = preds.Bytes()
	out["details/rows.txt"] = []byte(fmt.Sprintf("%d rows\n", len(files)))
	if has("big") {
		big := make([]byte, 9<<20)
		for i := range big {
			big[i] = byte(i * 7 % 251)
		}
		out["big.bin"] = big
	}
	for rel, content := range out {
		p := filepath.Join(spec.OutputDir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return localws.RunResult{}, err
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return localws.RunResult{}, err
		}
	}
	f.mu.Lock()
	f.written[spec.JobName] = out
	f.mu.Unlock()
	final := localws.Progress{MiniBatchesTotal: 1, MiniBatchesSucceeded: 1, ItemsTotal: len(files), RowsWritten: len(files)}
	if has("partial") {
		// One mini-batch of two failed, within the error threshold.
		final = localws.Progress{MiniBatchesTotal: 2, MiniBatchesSucceeded: 1, MiniBatchesFailed: 1, ItemsTotal: len(files), ItemsFailed: 1, RowsWritten: len(files) - 1}
	}
	report(final)
	return localws.RunResult{Progress: final}, nil
}

// outputs returns what the runner wrote for job.
func (f *fakeRunner) outputs(job string) map[string][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written[job]
}
