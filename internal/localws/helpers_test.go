package localws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// staticCredential hands azcore a fixed bearer token: the server's.
type staticCredential struct{ token string }

func (c staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// testEnv is a started server on 127.0.0.1 with ARM and blob clients.
type testEnv struct {
	t      testing.TB
	srv    *Server
	dir    string
	url    string
	token  string
	runner *fakeRunner
	http   *http.Client
}

// newEnv starts a server in a fresh folder. mutate may adjust the options.
func newEnv(t testing.TB, mutate ...func(*Options)) *testEnv {
	t.Helper()
	return newEnvIn(t, t.TempDir(), mutate...)
}

func newEnvIn(t testing.TB, dir string, mutate ...func(*Options)) *testEnv {
	t.Helper()
	runner := newFakeRunner()
	opts := Options{Dir: dir, Addr: "127.0.0.1:0", Runner: runner, Token: "test-token-0123456789"}
	for _, m := range mutate {
		m(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	e := &testEnv{t: t, srv: srv, dir: dir, url: srv.URL(), token: srv.Token(), runner: runner,
		http: &http.Client{Timeout: 30 * time.Second}}
	t.Cleanup(func() { e.stop() })
	return e
}

func (e *testEnv) stop() {
	runner := e.runner
	runner.releaseAll()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		e.t.Errorf("Shutdown: %v", err)
	}
}

func (e *testEnv) clientOptions() policy.ClientOptions {
	return policy.ClientOptions{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: "https://login.invalid/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Audience: "https://management.local", Endpoint: e.url},
			},
		},
		InsecureAllowCredentialWithHTTP: true,
		Retry:                           policy.RetryOptions{MaxRetries: 5, RetryDelay: time.Millisecond, MaxRetryDelay: 20 * time.Millisecond},
	}
}

func (e *testEnv) armOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: e.clientOptions(), DisableRPRegistration: true}
}

func (e *testEnv) cred() azcore.TokenCredential { return staticCredential{e.token} }

// factory builds the real armmachinelearning clients against the server.
func (e *testEnv) factory() *armmachinelearning.ClientFactory {
	e.t.Helper()
	f, err := armmachinelearning.NewClientFactory(DefaultSubscription, e.cred(), e.armOptions())
	if err != nil {
		e.t.Fatalf("NewClientFactory: %v", err)
	}
	return f
}

var pollFast = &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond}

const (
	rg = DefaultResourceGroup
	ws = DefaultWorkspace
)

// blobClient returns an azblob client signed with the key from listSecrets.
func (e *testEnv) blobClient() *azblob.Client {
	e.t.Helper()
	ctx := context.Background()
	f := e.factory()
	ds, err := f.NewDatastoresClient().Get(ctx, rg, ws, defaultDatastore, nil)
	if err != nil {
		e.t.Fatalf("get datastore: %v", err)
	}
	blobDS := ds.Properties.(*armmachinelearning.AzureBlobDatastore)
	sec, err := f.NewDatastoresClient().ListSecrets(ctx, rg, ws, defaultDatastore, nil)
	if err != nil {
		e.t.Fatalf("listSecrets: %v", err)
	}
	key := sec.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets).Key
	cred, err := azblob.NewSharedKeyCredential(*blobDS.AccountName, *key)
	if err != nil {
		e.t.Fatalf("shared key: %v", err)
	}
	accountURL := *blobDS.Protocol + "://" + *blobDS.Endpoint + "/" + *blobDS.AccountName
	c, err := azblob.NewClientWithSharedKeyCredential(accountURL, cred, &azblob.ClientOptions{ClientOptions: e.clientOptions()})
	if err != nil {
		e.t.Fatalf("azblob client: %v", err)
	}
	return c
}

func (e *testEnv) container() string { return e.srv.container }

// upload stores files (blob name → content) through the blob API.
func (e *testEnv) upload(files map[string]string) {
	e.t.Helper()
	c := e.blobClient()
	for name, content := range files {
		if _, err := c.UploadBuffer(context.Background(), e.container(), name, []byte(content), nil); err != nil {
			e.t.Fatalf("upload %s: %v", name, err)
		}
	}
}

// do sends a raw request with the server's token unless headers set
// Authorization (an empty value sends none).
func (e *testEnv) do(method, path string, body any, headers map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.url + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return resp, data
}

func wsPath() string {
	return "/subscriptions/" + DefaultSubscription + "/resourceGroups/" + rg + "/providers/Microsoft.MachineLearningServices/workspaces/" + ws
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, data, err)
	}
	return v
}

// armErrorOf decodes an ARM error body.
func armErrorOf(t testing.TB, data []byte) armErrorDetail {
	t.Helper()
	return decode[armError](t, data).Error
}

// deploymentSetup is what setupModelDeployment registered.
type deploymentSetup struct {
	endpoint, deployment string
	codeID, modelID      string
	input                string // datastore path of an uploaded input folder
}

// setupModelDeployment uploads code, model and input data, registers code
// and model versions, and creates endpoint "ep" with default deployment
// "blue" through the ARM clients.
func (e *testEnv) setupModelDeployment() deploymentSetup {
	e.t.Helper()
	ctx := context.Background()
	e.upload(map[string]string{
		"LocalUpload/code1/src/score.py":       "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n",
		"LocalUpload/model1/model/weights.txt": "42",
		"data/in/a.csv":                        "1,2\n",
		"data/in/b.csv":                        "3,4\n",
		"data/single.csv":                      "5,6\n",
	})
	f := e.factory()
	code, err := f.NewCodeVersionsClient().CreateOrUpdate(ctx, rg, ws, "score-code", "1", armmachinelearning.CodeVersion{
		Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr(e.url + "/blob/" + e.srv.account + "/" + e.container() + "/LocalUpload/code1/src")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create code version: %v", err)
	}
	model, err := f.NewModelVersionsClient().CreateOrUpdate(ctx, rg, ws, "heart-model", "1", armmachinelearning.ModelVersion{
		Properties: &armmachinelearning.ModelVersionProperties{ModelURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/model1/model"), ModelType: to.Ptr("custom_model")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create model version: %v", err)
	}
	e.createEndpoint("ep")
	e.createDeployment("ep", "blue", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: code.ID, ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: model.ID},
		Compute:           to.Ptr("azureml:cpu-cluster"),
	})
	e.setDefault("ep", "blue")
	return deploymentSetup{endpoint: "ep", deployment: "blue", codeID: *code.ID, modelID: *model.ID, input: "data/in/"}
}

func (e *testEnv) createEndpoint(name string) armmachinelearning.BatchEndpoint {
	e.t.Helper()
	poller, err := e.factory().NewBatchEndpointsClient().BeginCreateOrUpdate(context.Background(), rg, ws, name, armmachinelearning.BatchEndpoint{
		Location:   to.Ptr("local"),
		Properties: &armmachinelearning.BatchEndpointProperties{AuthMode: to.Ptr(armmachinelearning.EndpointAuthMode("aadToken")), Description: to.Ptr("test endpoint")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create endpoint %s: %v", name, err)
	}
	res, err := poller.PollUntilDone(context.Background(), pollFast)
	if err != nil {
		e.t.Fatalf("create endpoint %s: poll: %v", name, err)
	}
	return res.BatchEndpoint
}

func (e *testEnv) createDeployment(endpoint, name string, props armmachinelearning.BatchDeploymentProperties) armmachinelearning.BatchDeployment {
	e.t.Helper()
	d, err := e.tryCreateDeployment(endpoint, name, props)
	if err != nil {
		e.t.Fatalf("create deployment %s/%s: %v", endpoint, name, err)
	}
	return d
}

func (e *testEnv) tryCreateDeployment(endpoint, name string, props armmachinelearning.BatchDeploymentProperties) (armmachinelearning.BatchDeployment, error) {
	poller, err := e.factory().NewBatchDeploymentsClient().BeginCreateOrUpdate(context.Background(), rg, ws, endpoint, name,
		armmachinelearning.BatchDeployment{Location: to.Ptr("local"), Properties: &props}, nil)
	if err != nil {
		return armmachinelearning.BatchDeployment{}, err
	}
	res, err := poller.PollUntilDone(context.Background(), pollFast)
	return res.BatchDeployment, err
}

func (e *testEnv) setDefault(endpoint, deployment string) {
	e.t.Helper()
	poller, err := e.factory().NewBatchEndpointsClient().BeginCreateOrUpdate(context.Background(), rg, ws, endpoint, armmachinelearning.BatchEndpoint{
		Location: to.Ptr("local"),
		Properties: &armmachinelearning.BatchEndpointProperties{
			AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken),
			Defaults: &armmachinelearning.BatchEndpointDefaults{DeploymentName: to.Ptr(deployment)},
		},
	}, nil)
	if err != nil {
		e.t.Fatalf("set default deployment: %v", err)
	}
	if _, err := poller.PollUntilDone(context.Background(), pollFast); err != nil {
		e.t.Fatalf("set default deployment: poll: %v", err)
	}
}

// invoke posts a scoring body and returns the response.
func (e *testEnv) invoke(endpoint string, body any, headers map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	return e.do(http.MethodPost, "/endpoints/"+endpoint+"/jobs", body, headers)
}

// folderBody is the camelCase body of `--input <uri> --input-type uri_folder`.
func folderBody(uri string) map[string]any {
	return map[string]any{"properties": map[string]any{"inputData": map[string]any{
		"UriFolder": map[string]any{"jobInputType": "UriFolder", "uri": uri},
	}}}
}

// waitStatus polls the ARM job until it reaches want (or fails the test).
func (e *testEnv) waitStatus(job string, want ...string) *armmachinelearning.PipelineJob {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	jobs := e.factory().NewJobsClient()
	for {
		res, err := jobs.Get(context.Background(), rg, ws, job, nil)
		if err != nil {
			e.t.Fatalf("get job %s: %v", job, err)
		}
		pj := res.Properties.(*armmachinelearning.PipelineJob)
		for _, w := range want {
			if string(*pj.Status) == w {
				return pj
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s: status %s, want one of %v", job, *pj.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeRunner stands in for the Python runtime: it reports progress,
// writes a log and an output line per input file, and can be held.
type fakeRunner struct {
	mu      sync.Mutex
	specs   map[string]RunSpec
	hold    bool
	release chan struct{}
	started chan string
	err     error
}

func newFakeRunner() *fakeRunner {
	return &fakeRunner{specs: map[string]RunSpec{}, release: make(chan struct{}), started: make(chan string, 1000)}
}

// holdJobs makes Run wait until releaseAll (or cancellation).
func (f *fakeRunner) holdJobs() { f.mu.Lock(); f.hold = true; f.mu.Unlock() }

func (f *fakeRunner) releaseAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hold {
		f.hold = false
		close(f.release)
	}
}

func (f *fakeRunner) spec(job string) (RunSpec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.specs[job]
	return s, ok
}

func (f *fakeRunner) Run(ctx context.Context, spec RunSpec, report func(Progress)) (RunResult, error) {
	f.mu.Lock()
	f.specs[spec.JobName] = spec
	hold, release, fail := f.hold, f.release, f.err
	f.mu.Unlock()
	f.started <- spec.JobName

	var files []string
	for _, in := range spec.Inputs {
		_ = filepath.WalkDir(in, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	logDir := filepath.Join(spec.JobDir, "logs", "user", "stdout", "0")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return RunResult{}, err
	}
	logFile := filepath.Join(logDir, "process000.stdout.txt")
	appendLog := func(line string) {
		lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(lf, line)
			lf.Close()
		}
	}
	appendLog("init() done")
	report(Progress{Status: "Running", MiniBatchesTotal: 1, ItemsTotal: len(files), Message: "running"})
	if hold {
		select {
		case <-release:
		case <-ctx.Done():
			appendLog("canceled")
			return RunResult{}, ctx.Err()
		}
	}
	var out strings.Builder
	for _, p := range files {
		appendLog("scored " + filepath.Base(p))
		fmt.Fprintf(&out, "%s 1\n", filepath.Base(p))
	}
	if spec.OutputDir != "" && spec.OutputAction == "AppendRow" {
		if err := os.WriteFile(filepath.Join(spec.OutputDir, spec.OutputFileName), []byte(out.String()), 0o644); err != nil {
			return RunResult{}, err
		}
	}
	final := Progress{MiniBatchesTotal: 1, MiniBatchesSucceeded: 1, ItemsTotal: len(files), RowsWritten: len(files)}
	report(Progress{Status: "Finalizing", MiniBatchesTotal: 1, MiniBatchesSucceeded: 1, ItemsTotal: len(files)})
	return RunResult{Progress: final}, fail
}
