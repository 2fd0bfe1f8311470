package main

import (
	"bufio"
	"fmt"
	"github.com/mlbatch/ml/internal/testutil/azurite"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mlbatch/ml/internal/app"
)

// TestMain lets testscript run `ml` as a real subprocess of this test
// binary, through the same app.Main as the shipped binary.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ml": func() { os.Exit(app.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each starts a
// local workspace on 127.0.0.1 and drives it with ml commands only.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// One Azurite for every script that keeps the workspace's datastore in
	// an existing account (storage_account.txtar).
	az := azurite.Start(t)
	azConn := "DefaultEndpointsProtocol=http;AccountName=" + az.Account + ";AccountKey=" + az.Key + ";BlobEndpoint=" + az.ServiceURL
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(repo, "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			env.Setenv("HEART", filepath.Join(repo, "testdata", "heart"))
			env.Setenv("HEART_MLFLOW", filepath.Join(repo, "testdata", "heart-mlflow"))
			// Scripts that need scikit-learn run it with Debian's python3
			// (python3-sklearn), or the interpreter `make test` passes.
			sklearnPython := os.Getenv("ML_TEST_PANDAS_PYTHON")
			if sklearnPython == "" {
				sklearnPython = "/usr/bin/python3"
			}
			env.Setenv("SKLEARN_PYTHON", sklearnPython)
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("AZURE_CONFIG_DIR", filepath.Join(env.WorkDir, "azure"))
			env.Setenv("ML_LOCAL_DIR", filepath.Join(env.WorkDir, "ws"))
			env.Defer(func() { stopDetached(filepath.Join(env.WorkDir, "ws")) })
			env.Setenv("AZURITE_CONN", azConn)
			env.Setenv("AZURITE_ACCOUNT", az.Account)
			// The Azurite account as a datastore names it (datastore_azurite.txtar):
			// its path-style endpoint host:port and its well-known dev key.
			env.Setenv("AZURITE_ENDPOINT", strings.TrimSuffix(strings.TrimPrefix(az.ServiceURL, "http://"), "/"+az.Account))
			env.Setenv("AZURITE_KEY", az.Key)
			env.Setenv("AZURITE_URL", az.ServiceURL)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile":     waitFile,
			"lines":        countLines,
			"notcontains":  notContains,
			"stdout2env":   stdoutToEnv,
			"localsecrets": localSecrets,
			"blobscmp":     blobsCmp,
			"exits":        exitsWith,
			"mdblock":      mdBlock,
			"replace":      replaceInFile,
			"azput":        azPut,
		},
		RequireExplicitExec: true,
	})
}

// waitfile FILE [SECONDS] waits until FILE exists (a server's server.json).
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: waitfile FILE [SECONDS]")
	}
	limit := 30 * time.Second
	if len(args) > 1 {
		d, err := time.ParseDuration(args[1] + "s")
		ts.Check(err)
		limit = d
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			if neg {
				ts.Fatalf("%s exists", path)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !neg {
		ts.Fatalf("%s did not appear within %s", path, limit)
	}
}

// lines FILE N checks that FILE has exactly N lines.
func countLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: lines FILE N")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	ts.Check(sc.Err())
	got := fmt.Sprint(n)
	if (got == args[1]) == neg {
		ts.Fatalf("%s has %s lines, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}

// notcontains FILE TEXT... fails if FILE contains any TEXT (secrets in
// --debug traces).
func notContains(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: notcontains FILE TEXT...")
	}
	data := ts.ReadFile(args[0])
	for _, s := range args[1:] {
		if s != "" && strings.Contains(data, s) {
			ts.Fatalf("%s contains %q", args[0], s)
		}
	}
}
