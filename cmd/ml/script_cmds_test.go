package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/local/shared"
	"github.com/mlbatch/ml/internal/localinfo"
)

// stdout2env VAR sets VAR to the last command's stdout, trimmed (testscript
// has no command substitution).
func stdoutToEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdout2env VAR")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// localClient builds the azml client of the running local workspace.
func localClient(ts *testscript.TestScript) *azml.Client {
	info, err := localinfo.Read(ts.Getenv("ML_LOCAL_DIR"))
	ts.Check(err)
	c, err := azml.NewClient(azml.NewLocalTarget(info), ts.Getenv)
	ts.Check(err)
	return c
}

// localsecrets sets ML_TOKEN and ML_ACCOUNT_KEY to the local workspace's
// bearer token and storage account key, so scripts can check that no
// output ever shows them.
func localSecrets(ts *testscript.TestScript, neg bool, args []string) {
	info, err := localinfo.Read(ts.Getenv("ML_LOCAL_DIR"))
	ts.Check(err)
	ts.Setenv("ML_TOKEN", info.Token)
	t := azml.NewLocalTarget(info)
	ds, err := armmachinelearning.NewDatastoresClient(t.Subscription, t.Credential, t.ARMOptions())
	ts.Check(err)
	secrets, err := ds.ListSecrets(context.Background(), t.ResourceGroup, t.Workspace, azml.DefaultDatastore, nil)
	ts.Check(err)
	key, ok := secrets.DatastoreSecretsClassification.(*armmachinelearning.AccountKeyDatastoreSecrets)
	if !ok || key.Key == nil || *key.Key == "" {
		ts.Fatalf("the local workspace returned no account key")
	}
	ts.Setenv("ML_ACCOUNT_KEY", *key.Key)
}

// blobscmp DIR PREFIX checks that the blobs under PREFIX on the local
// workspace's default datastore are exactly the files of DIR, byte for
// byte (MD5 compared), and that none is missing or extra.
func blobsCmp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: blobscmp DIR PREFIX")
	}
	dir, prefix := ts.MkAbs(args[0]), strings.TrimSuffix(args[1], "/")+"/"
	want := map[string][16]byte{}
	ts.Check(filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		want[filepath.ToSlash(rel)] = md5.Sum(data)
		return nil
	}))
	ctx := context.Background()
	ds, err := localClient(ts).OpenDatastore(ctx, azml.DefaultDatastore)
	ts.Check(err)
	got := map[string][16]byte{}
	pager := ds.Client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		ts.Check(err)
		for _, b := range page.Segment.BlobItems {
			resp, err := ds.Client.NewBlobClient(*b.Name).DownloadStream(ctx, nil)
			ts.Check(err)
			var buf bytes.Buffer
			_, err = io.Copy(&buf, resp.Body)
			resp.Body.Close()
			ts.Check(err)
			got[strings.TrimPrefix(*b.Name, prefix)] = md5.Sum(buf.Bytes())
		}
	}
	var problems []string
	for name, sum := range want {
		if g, ok := got[name]; !ok {
			problems = append(problems, "missing "+name)
		} else if g != sum {
			problems = append(problems, "different "+name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			problems = append(problems, "extra "+name)
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		ts.Fatalf("blobs under %s differ from %s: %s", prefix, dir, strings.Join(problems, ", "))
	}
}

// azput CONTAINER DIR PREFIX uploads the files of DIR to PREFIX/ in
// CONTAINER (created when missing) of the Azurite account the scripts
// share, as data that lives outside the local workspace.
func azPut(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: azput CONTAINER DIR PREFIX")
	}
	ctx := context.Background()
	cred, err := azblob.NewSharedKeyCredential(ts.Getenv("AZURITE_ACCOUNT"), ts.Getenv("AZURITE_KEY"))
	ts.Check(err)
	c, err := container.NewClientWithSharedKeyCredential(ts.Getenv("AZURITE_URL")+"/"+args[0], cred, nil)
	ts.Check(err)
	if _, err := c.Create(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		ts.Fatalf("create container %s: %v", args[0], err)
	}
	dir := ts.MkAbs(args[1])
	ts.Check(filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		_, err = c.NewBlockBlobClient(strings.TrimSuffix(args[2], "/")+"/"+filepath.ToSlash(rel)).UploadBuffer(ctx, data, nil)
		return err
	}))
}

// exits N PROG ARGS... runs PROG like exec and checks that it exits with
// code N exactly (exec only tells zero from non-zero; ml's exit codes are a
// contract, docs/exit-codes.md).
func exitsWith(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// mdblock FILE HEADING OUT writes the first fenced code block after the
// Markdown heading HEADING of FILE to OUT, so a script can run a README's
// commands exactly as printed.
func mdBlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mdblock FILE HEADING OUT")
	}
	lines := strings.Split(ts.ReadFile(args[0]), "\n")
	i := slices.Index(lines, args[1])
	if i < 0 {
		ts.Fatalf("%s has no heading %q", args[0], args[1])
	}
	var block []string
	in := false
	for _, line := range lines[i+1:] {
		if strings.HasPrefix(line, "```") {
			if in {
				ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(strings.Join(block, "\n")+"\n"), 0o644))
				return
			}
			in = true
			continue
		}
		if in {
			block = append(block, line)
		} else if strings.HasPrefix(line, "#") {
			break
		}
	}
	ts.Fatalf("%s: no code block under %q", args[0], args[1])
}

// replace FILE OLD NEW replaces every OLD in FILE with NEW; OLD must be
// there.
func replaceInFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	text := ts.ReadFile(args[0])
	if !strings.Contains(text, args[1]) {
		ts.Fatalf("%s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.ReplaceAll(text, args[1], args[2])), 0o644))
}

// stopDetached stops a server that a script left running in dir (one that
// `ml local serve --detach` started and a failing script never stopped).
func stopDetached(dir string) {
	if info, err := localinfo.Read(dir); err == nil { // ReadServerInfo fails for a server that is gone (its lock is free)
		_ = shared.Terminate(info.PID)
	}
}
