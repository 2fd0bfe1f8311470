package localws

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/localinfo"
)

// TestServerInfoLifecycle: Start writes server.json (0600) with what a
// client needs; Shutdown removes it.
func TestServerInfoLifecycle(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Runner: newFakeRunner()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := localinfo.Read(dir); !errors.Is(err, localinfo.ErrNotRunning) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("before Start: %v, want localinfo.ErrNotRunning", err)
	}
	before := time.Now().UTC().Add(-time.Second)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, localinfo.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("server.json mode %v, want 0600", fi.Mode().Perm())
	}
	info, err := localinfo.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := localinfo.Info{URL: srv.URL(), PID: os.Getpid(), Token: srv.Token(), Subscription: DefaultSubscription,
		ResourceGroup: DefaultResourceGroup, Workspace: DefaultWorkspace, StorageAccount: DefaultStorageAccount}
	got := *info
	got.StartedAt = time.Time{}
	if got != want {
		t.Errorf("server.json = %+v, want %+v", got, want)
	}
	if info.StartedAt.Before(before.Truncate(time.Second)) || info.StartedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("startedAt %v", info.StartedAt)
	}
	if !strings.HasPrefix(info.URL, "http://127.0.0.1:") || len(info.Token) < 40 {
		t.Errorf("url %s, token of %d chars (want a generated 256-bit token)", info.URL, len(info.Token))
	}
	resp, err := http.Get(info.URL + "/discovery")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, localinfo.FileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("server.json left after Shutdown: %v", err)
	}
	if _, err := http.Get(info.URL + "/discovery"); err == nil {
		t.Errorf("server still answers after Shutdown")
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

// TestOptionsValidation refuses non-loopback addresses and bad options
// with messages that say what to do.
func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"no dir", Options{}, "Options.Dir is required"},
		{"all interfaces", Options{Addr: "0.0.0.0:8765"}, "not a loopback address"},
		{"empty host", Options{Addr: ":8765"}, "not a loopback address"},
		{"lan address", Options{Addr: "192.168.1.10:8765"}, "not a loopback address"},
		{"host name", Options{Addr: "example.com:8765"}, "not a loopback address"},
		{"no port", Options{Addr: "127.0.0.1"}, "use host:port"},
		{"bad workspace", Options{Workspace: "my ws"}, "Options.Workspace"},
		{"negative body limit", Options{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"bad fault rate", Options{Faults: FaultOptions{Rate: 2}}, "between 0 and 1"},
		{"loopback ok", Options{Addr: "127.0.0.1:0"}, ""},
		{"localhost ok", Options{Addr: "localhost:0"}, ""},
		{"ipv6 loopback ok", Options{Addr: "[::1]:0"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name != "no dir" {
				tc.opts.Dir = t.TempDir()
			}
			tc.opts.Runner = newFakeRunner()
			srv, err := New(tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				srv.Shutdown(context.Background())
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New: %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDir, "/tmp/ml-local-test")
	if d, err := DefaultDir(); err != nil || d != "/tmp/ml-local-test" {
		t.Errorf("DefaultDir with $%s = %q, %v", EnvDir, d, err)
	}
	t.Setenv(EnvDir, "")
	t.Setenv("HOME", "/home/someone")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/home/someone", ".ml", "local") {
		t.Errorf("DefaultDir = %q, %v, want ~/.ml/local", d, err)
	}
}

// TestWorkspaceAndDiscovery: the workspace GET points at discovery, whose
// "api" is this server (how clients find the data-plane routes).
func TestWorkspaceAndDiscovery(t *testing.T) {
	e := newEnv(t)
	res, err := e.factory().NewWorkspacesClient().Get(context.Background(), rg, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *res.Name != DefaultWorkspace || *res.Properties.DiscoveryURL != e.url+"/discovery" || *res.Location != DefaultLocation {
		t.Errorf("workspace %+v", res.Workspace)
	}
	resp, data := e.do(http.MethodGet, *res.Properties.DiscoveryURL, nil, map[string]string{"Authorization": ""})
	if resp.StatusCode != http.StatusOK || decode[map[string]string](t, data)["api"] != e.url {
		t.Errorf("discovery: %d %s", resp.StatusCode, data)
	}
	// Case-insensitive ARM segments, like ARM.
	resp, data = e.do(http.MethodGet, strings.ToLower(wsPath())+"?api-version=2025-12-01", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case path: %d %s", resp.StatusCode, data)
	}
	for _, tc := range []struct {
		path, code string
		status     int
	}{
		{wsPath(), codeMissingAPIVersion, 400},
		{wsPath() + "?api-version=latest", codeBadAPIVersion, 400},
		{strings.Replace(wsPath(), "/workspaces/local", "/workspaces/other", 1) + "?api-version=2024-04-01", codeNotFound, 404},
		{strings.Replace(wsPath(), DefaultSubscription, "11111111-0000-0000-0000-000000000000", 1) + "?api-version=2024-04-01", "SubscriptionNotFound", 404},
		{strings.Replace(wsPath(), "/resourceGroups/local", "/resourceGroups/prod", 1) + "?api-version=2024-04-01", "ResourceGroupNotFound", 404},
	} {
		resp, data := e.do(http.MethodGet, tc.path, nil, nil)
		if resp.StatusCode != tc.status || armErrorOf(t, data).Code != tc.code {
			t.Errorf("GET %s: %d %s, want %d %s", tc.path, resp.StatusCode, data, tc.status, tc.code)
		}
	}
}

// TestShutdownReleasesLongPolls: a client waiting on the events route does
// not hold Shutdown up, and the running job ends Failed with the reason.
func TestShutdownReleasesLongPolls(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.runner.holdJobs()
	resp, data := e.invoke("ep", folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[struct{ Name string }](t, data).Name
	<-e.runner.started
	e.waitStatus(job, "Running")
	cursor := decode[eventsReply](t, func() []byte {
		_, d := e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+"/events", nil, nil)
		return d
	}()).Cursor
	polled := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/history/v1.0"+wsPath()+"/runs/"+job+"/events?wait=60&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			polled <- -1
			return
		}
		resp.Body.Close()
		polled <- resp.StatusCode
	}()
	// Wait until the poll is parked on the job's notifier.
	for deadline := time.Now().Add(10 * time.Second); e.srv.longPolls.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the long poll never started waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a long poll open: %v", err)
	}
	if code := <-polled; code != http.StatusOK {
		t.Errorf("long poll ended with %d, want 200", code)
	}
	st, err := openSQLiteStore(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j, err := st.GetJob(context.Background(), job)
	if err != nil || j.Status != statusFailed || j.Error == nil || j.Error.Message != stopReason {
		t.Errorf("job after Shutdown: %+v, %v; want Failed with %q", j, err, stopReason)
	}
}

// TestHandlerWithoutStart mounts Handler on a server of the caller's: URLs
// in answers follow the host the client used, and no server.json appears.
func TestHandlerWithoutStart(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{Dir: dir, Token: "tok", Runner: newFakeRunner()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		hs.Close()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, hs.URL+wsPath()+"?api-version=2024-04-01", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var w struct {
		Properties struct{ DiscoveryURL string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if w.Properties.DiscoveryURL != hs.URL+"/discovery" {
		t.Errorf("discoveryUrl %s, want %s/discovery", w.Properties.DiscoveryURL, hs.URL)
	}
	if srv.URL() != "" {
		t.Errorf("URL() = %q before Start", srv.URL())
	}
	if _, err := os.Stat(filepath.Join(dir, localinfo.FileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("server.json written without Start: %v", err)
	}
}
