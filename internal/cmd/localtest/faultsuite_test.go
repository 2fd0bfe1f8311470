package localtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/localws"
)

// faultSuiteInvokes bounds the suite's time: faults cost retry back-offs
// (0.5–1 s each), and the invokes run a few at a time.
const (
	faultSuiteInvokes     = 12
	faultSuiteConcurrency = 4
)

// TestFaultSuite runs invokes through the real CLI (plan, upload in blocks,
// commit, job POST) while the local workspace injects faults, and counts:
// invokes, their failures, jobs created, duplicates (jobs beyond one per
// successful invoke), byte mismatches (any stored blob that differs from
// its file, failed invokes included) and invokes failed by a retried
// commit. `make faults` runs it verbosely so CI prints the counts.
//
//   - transient and lost answers (429, 503, dropped connections, writes
//     whose answer is lost): every invoke succeeds through its retries,
//     exactly one job each, every blob byte-identical;
//   - corrupted request bodies: a damaged block is refused and sent again;
//     an invoke may still fail (a damaged job body or block list is
//     refused, and it says so on one line), but nothing damaged is stored
//     and no job exists for a failed invoke.
func TestFaultSuite(t *testing.T) {
	e := newEnv(t)
	env := map[string]string{
		// Small blocks so every invoke stages and commits block lists.
		"ML_UPLOAD_PUT_LIMIT":  "64KiB",
		"ML_UPLOAD_BLOCK_SIZE": "64KiB",
		"ML_UPLOAD_NO_CACHE":   "1",
	}
	phases := []struct {
		name    string
		faults  localws.FaultOptions
		mayFail bool
	}{
		{"transient and lost answers", localws.FaultOptions{Rate: 0.2, Kinds: []string{"429", "503", "drop", "lost"}, Seed: 7, RetryAfter: -1}, false},
		{"corrupted bodies", localws.FaultOptions{Rate: 0.1, Kinds: []string{"corrupt"}, Seed: 5}, true},
	}
	var folders []string // every invoke's input folder
	jobsBefore := e.jobCount()
	successes := 0
	for p, phase := range phases {
		var (
			mu       sync.Mutex
			failed   []string
			jobs     = map[string]bool{}
			commitRe int
		)
		dirs := make([]string, faultSuiteInvokes)
		for i := range dirs {
			dirs[i] = faultSuiteFolder(t, p*100+i)
		}
		folders = append(folders, dirs...)
		if err := e.srv.SetFaults(phase.faults); err != nil {
			t.Fatal(err)
		}
		sem := make(chan struct{}, faultSuiteConcurrency)
		var wg sync.WaitGroup
		for _, dir := range dirs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				r := e.ml(env, "batch-endpoint", "invoke", "-n", endpointName, "--input", dir, "--query", "name", "-o", "tsv")
				mu.Lock()
				defer mu.Unlock()
				if r.code != 0 {
					failed = append(failed, r.stderr)
					if strings.Contains(r.stderr, "InvalidBlockList") {
						commitRe++
					}
					return
				}
				jobs[strings.TrimSpace(r.stdout)] = true
			}()
		}
		wg.Wait()
		counts := e.srv.FaultCounts()
		if err := e.srv.SetFaults(localws.FaultOptions{}); err != nil {
			t.Fatal(err)
		}
		successes += faultSuiteInvokes - len(failed)
		t.Logf("fault suite, %s: %d invokes, %d failed, %d distinct jobs, %d failed by a retried commit; faults injected %v",
			phase.name, faultSuiteInvokes, len(failed), len(jobs), commitRe, counts)

		var injected int64
		for _, n := range counts {
			injected += n
		}
		if injected == 0 {
			t.Errorf("%s: no fault was injected; the suite tested nothing", phase.name)
		}
		if commitRe != 0 {
			t.Errorf("%s: %d invokes failed on a retried Put Block List", phase.name, commitRe)
		}
		if len(jobs) != faultSuiteInvokes-len(failed) {
			t.Errorf("%s: %d distinct job names from %d successful invokes", phase.name, len(jobs), faultSuiteInvokes-len(failed))
		}
		for _, stderr := range failed {
			t.Logf("%s: failed invoke: %s", phase.name, strings.TrimSpace(stderr))
			if !phase.mayFail {
				t.Errorf("%s: an invoke failed:\n%s", phase.name, stderr)
				continue
			}
			// One ERROR line, no XML: a damaged job body is refused by
			// the service; a damaged upload says no job was created.
			errLine := stderr[strings.LastIndex(stderr, "ERROR: "):]
			if strings.Count(errLine, "\n") > 1 || strings.Contains(errLine, "<?xml") ||
				!strings.Contains(errLine, "no job was created") && !strings.Contains(errLine, "(UserError)") {
				t.Errorf("%s: a failed invoke does not end in one readable ERROR line:\n%s", phase.name, stderr)
			}
		}
	}

	jobs := e.jobCount() - jobsBefore
	mismatches, stored := e.blobMismatches(folders)
	t.Logf("fault suite, total: %d invokes, %d succeeded, %d jobs, %d duplicates, %d blobs checked, %d byte mismatches",
		len(folders), successes, jobs, jobs-successes, stored, len(mismatches))
	if jobs != successes {
		t.Errorf("%d jobs for %d successful invokes", jobs, successes)
	}
	if stored == 0 {
		t.Error("no uploaded blob found to check")
	}
	for _, m := range mismatches {
		t.Error(m)
	}
}

// faultSuiteFolder is an invoke's input: small CSVs and a file of several
// blocks, all unique to n so no upload is skipped as already there.
func faultSuiteFolder(t *testing.T, n int) string {
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("suite-%03d", n))
	big := bytes.Repeat([]byte(fmt.Sprintf("%03d,row of the large file\n", n)), 200<<10/26)
	return writeFiles(t, dir, map[string]string{
		"a.csv":       fmt.Sprintf("x,y\n%d,1\n", n),
		"b.csv":       fmt.Sprintf("x,y\n%d,2\n", n),
		"big/big.csv": string(big),
	})
}

// jobCount is the number of jobs of the test endpoint.
func (e *env) jobCount() int {
	e.t.Helper()
	r := e.run("batch-endpoint", "list-jobs", "-n", endpointName, "--query", "length(@)", "-o", "tsv")
	var n int
	if _, err := fmt.Sscan(r.stdout, &n); err != nil {
		e.t.Fatalf("list-jobs length: %q: %v", r.stdout, err)
	}
	return n
}

// blobMismatches compares every blob stored under LocalUpload/ for one of
// folders (LocalUpload/<hash>/<folder name>/<file>) with the file: a blob
// that differs is a mismatch. A missing blob is not: its invoke failed.
func (e *env) blobMismatches(folders []string) (mismatches []string, checked int) {
	e.t.Helper()
	ctx := context.Background()
	ds, err := e.client.OpenDatastore(ctx, azml.DefaultDatastore)
	if err != nil {
		e.t.Fatal(err)
	}
	byName := map[string]string{}
	for _, f := range folders {
		byName[filepath.Base(f)] = f
	}
	pager := ds.Client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr("LocalUpload/")})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			parts := strings.SplitN(*b.Name, "/", 4) // LocalUpload, hash, folder, file
			if len(parts) < 4 || byName[parts[2]] == "" {
				continue
			}
			want, err := os.ReadFile(filepath.Join(byName[parts[2]], filepath.FromSlash(parts[3])))
			if err != nil {
				mismatches = append(mismatches, fmt.Sprintf("blob %s has no file: %v", *b.Name, err))
				continue
			}
			resp, err := ds.Client.NewBlobClient(*b.Name).DownloadStream(ctx, nil)
			if err != nil {
				e.t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				e.t.Fatal(err)
			}
			checked++
			if md5.Sum(got) != md5.Sum(want) {
				mismatches = append(mismatches, fmt.Sprintf("blob %s: %d bytes differ from its file's %d", *b.Name, len(got), len(want)))
			}
		}
	}
	return mismatches, checked
}
