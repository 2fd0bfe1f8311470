package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
)

// TestExecuteAgainstAzurite runs the executor against Microsoft's Blob
// emulator; one Azurite serves every subtest, each in its own container.
func TestExecuteAgainstAzurite(t *testing.T) {
	inst := startAzurite(t)
	ctx := context.Background()

	// A tree of awkward names plus a file spanning several blocks.
	root := filepath.Join(t.TempDir(), "inputs & more")
	tree := awkwardTree()
	tree["big/weights.bin"] = string(pseudoRandom(5*mib + 123))
	writeTree(t, root, tree)
	layout := Layout{PutLimit: 1 * mib, BlockSize: 1 * mib}
	plan, err := NewPlanWith(t.Context(), root, PlanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{BlockConcurrency: 3, FileConcurrency: 4, AssetName: "asset-x", AssetVersion: "7"}

	t.Run("uploads every file byte-identical and marks the indicator", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		var inCallback atomic.Int32
		var events []Event
		o := opts
		o.Progress = func(e Event) {
			if inCallback.Add(1) != 1 {
				t.Error("Progress called concurrently")
			}
			events = append(events, e)
			inCallback.Add(-1)
		}
		res, err := Execute(ctx, c, plan, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Skipped || res.Files != len(plan.Files) || res.Bytes != plan.Bytes || res.RemotePath != plan.RemotePath {
			t.Errorf("result %+v, want %d files, %d bytes at %s", res, len(plan.Files), plan.Bytes, plan.RemotePath)
		}
		if res.AssetName != "asset-x" || res.AssetVersion != "7" {
			t.Errorf("asset %q %q, want asset-x 7", res.AssetName, res.AssetVersion)
		}
		if res.MiBPerSecond() <= 0 {
			t.Errorf("MiBPerSecond = %v", res.MiBPerSecond())
		}

		blobs := listBlobs(t, c)
		if len(blobs) != len(plan.Files) {
			t.Errorf("%d blobs in the container, want %d", len(blobs), len(plan.Files))
		}
		for _, f := range plan.Files {
			if _, ok := blobs[f.BlobName]; !ok {
				t.Errorf("blob %q missing; have %v", f.BlobName, keys(blobs))
				continue
			}
			local, err := os.ReadFile(f.LocalPath)
			if err != nil {
				t.Fatal(err)
			}
			if got := blobBytes(t, c, f.BlobName); !bytes.Equal(got, local) {
				t.Errorf("%s: blob content differs from the file (%d vs %d bytes)", f.RelPath, len(got), len(local))
			}
			props, err := c.NewBlobClient(f.BlobName).GetProperties(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(props.ContentMD5, md5Of(local)) {
				t.Errorf("%s: blob Content-MD5 %x, want %x", f.RelPath, props.ContentMD5, md5Of(local))
			}
		}
		// The marker, with keys stored lowercase as az reads them.
		want := map[string]string{"upload_status": "completed", "name": "asset-x", "version": "7"}
		if got := blobs[plan.IndicatorBlob]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("indicator metadata %v, want %v", got, want)
		}
		for name, meta := range blobs {
			if name != plan.IndicatorBlob && len(meta) != 0 {
				t.Errorf("%s has metadata %v; only the indicator should", name, meta)
			}
		}

		// Every data request carries the CRC-64 of its body; the marker
		// comes last.
		puts := rec.requests(http.MethodPut)
		for _, q := range puts {
			if !strings.Contains(q.Path, "/LocalUpload/") {
				continue // the container itself
			}
			if (q.Comp == "" || q.Comp == "block") && (q.CRC64 == "" || q.CRC64 != q.BodyCRC64) {
				t.Errorf("PUT %s (comp=%q): x-ms-content-crc64 %q, body CRC-64 %q", q.Path, q.Comp, q.CRC64, q.BodyCRC64)
			}
		}
		if last := puts[len(puts)-1]; last.Comp != "metadata" || !strings.HasSuffix(last.Path, "/"+plan.IndicatorBlob) {
			t.Errorf("last PUT is %+v, want the metadata of the indicator", last)
		}
		if n := countComp(puts, "block"); n != 6 {
			t.Errorf("%d staged blocks, want 6 (5 MiB + 123 bytes in 1 MiB blocks)", n)
		}

		var filesDone int
		for _, e := range events {
			if e.Kind == EventFileDone {
				filesDone++
			}
		}
		last := events[len(events)-1]
		if filesDone != len(plan.Files) || last.BytesDone != plan.Bytes || last.FilesDone != len(plan.Files) {
			t.Errorf("events: %d file-done, last %+v; want %d files and %d bytes", filesDone, last, len(plan.Files), plan.Bytes)
		}
	})

	t.Run("second run skips without sending data", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		if _, err := Execute(ctx, c, plan, opts); err != nil {
			t.Fatal(err)
		}
		rec.reset()
		var skipped []Event
		o := opts
		o.AssetName, o.AssetVersion = "", "" // the existing marker's values come back
		o.Progress = func(e Event) { skipped = append(skipped, e) }
		res, err := Execute(ctx, c, plan, o)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Skipped || res.Files != 0 || res.Bytes != 0 || res.RemotePath != plan.RemotePath {
			t.Errorf("result %+v, want skipped at %s", res, plan.RemotePath)
		}
		if res.AssetName != "asset-x" || res.AssetVersion != "7" {
			t.Errorf("asset %q %q, want the existing asset-x 7", res.AssetName, res.AssetVersion)
		}
		if puts := rec.requests(http.MethodPut); len(puts) != 0 {
			t.Errorf("skipped run sent %d PUTs: %+v", len(puts), puts)
		}
		if heads := rec.requests(http.MethodHead); len(heads) != 2 {
			t.Errorf("skipped run sent %d HEADs, want 2 (LocalUpload and legacy)", len(heads))
		}
		if len(skipped) != 1 || skipped[0].Kind != EventSkipped || skipped[0].RemotePath != plan.RemotePath {
			t.Errorf("events %+v, want one skipped event", skipped)
		}
	})

	t.Run("indicator without marker is uploaded again", func(t *testing.T) {
		c, _ := newContainer(t, inst, &recorder{})
		if _, err := c.NewBlockBlobClient(plan.IndicatorBlob).UploadBuffer(ctx, []byte("partial junk"), nil); err != nil {
			t.Fatal(err)
		}
		res, err := Execute(ctx, c, plan, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Skipped {
			t.Fatal("skipped an upload that was never marked complete")
		}
		local, _ := os.ReadFile(plan.Files[0].LocalPath)
		if got := blobBytes(t, c, plan.IndicatorBlob); !bytes.Equal(got, local) {
			t.Errorf("indicator still holds %q", got)
		}
		if meta := listBlobs(t, c)[plan.IndicatorBlob]; meta["upload_status"] != "completed" {
			t.Errorf("indicator metadata %v, want the marker", meta)
		}
	})

	t.Run("a single file carries its marker in its own request", func(t *testing.T) {
		for _, size := range []int{1000, 3*mib + 7} { // one Put Blob; blocks and a commit
			file := filepath.Join(t.TempDir(), fmt.Sprintf("one-%d.bin", size))
			if err := os.WriteFile(file, pseudoRandom(size), 0o644); err != nil {
				t.Fatal(err)
			}
			one, err := NewPlanWith(t.Context(), file, PlanOptions{Layout: layout})
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			c, _ := newContainer(t, inst, rec)
			if _, err := Execute(ctx, c, one, opts); err != nil {
				t.Fatal(err)
			}
			if n := countComp(rec.requests(http.MethodPut), "metadata"); n != 0 {
				t.Errorf("%d B: %d metadata writes, want the marker on the blob's own request", size, n)
			}
			meta := listBlobs(t, c)[one.IndicatorBlob]
			if meta["upload_status"] != "completed" || meta["name"] != "asset-x" || meta["version"] != "7" {
				t.Errorf("%d B: indicator metadata %v, want the marker", size, meta)
			}
			if got := blobBytes(t, c, one.IndicatorBlob); !bytes.Equal(got, pseudoRandom(size)) {
				t.Errorf("%d B: blob differs from the file", size)
			}
			again, err := Execute(ctx, c, one, opts)
			if err != nil || !again.Skipped {
				t.Errorf("%d B: second upload %+v, %v; want it skipped", size, again, err)
			}
		}
	})

	t.Run("completed legacy upload is reused", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		legacy := strings.Replace(plan.IndicatorBlob, "LocalUpload/", "az-ml-artifacts/", 1)
		_, err := c.NewBlockBlobClient(legacy).UploadBuffer(ctx, []byte("old"), &blockblob.UploadBufferOptions{
			Metadata: map[string]*string{"upload_status": ptr("completed"), "name": ptr("old-asset"), "version": ptr("3")},
		})
		if err != nil {
			t.Fatal(err)
		}
		rec.reset()
		res, err := Execute(ctx, c, plan, opts)
		if err != nil {
			t.Fatal(err)
		}
		wantPath := "az-ml-artifacts/" + plan.Hash + "/" + plan.Name
		if !res.Skipped || res.RemotePath != wantPath || res.AssetName != "old-asset" || res.AssetVersion != "3" {
			t.Errorf("result %+v, want skipped at %s with old-asset 3", res, wantPath)
		}
		if got := res.URI("workspaceblobstore", true); got != "azureml://datastores/workspaceblobstore/paths/"+wantPath+"/" {
			t.Errorf("URI = %q", got)
		}
		if puts := rec.requests(http.MethodPut); len(puts) != 0 {
			t.Errorf("sent %d PUTs", len(puts))
		}
	})

	t.Run("failing file is named and no marker is written", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		victim := fileNamed(t, plan, "big/weights.bin")
		rec.fail = func(req *http.Request) (int, error) {
			if req.Method == http.MethodPut && strings.HasSuffix(req.URL.Path, "/"+victim.BlobName) {
				return http.StatusInternalServerError, nil
			}
			return 0, nil
		}
		_, err := Execute(ctx, c, plan, opts)
		if err == nil {
			t.Fatal("Execute succeeded while every PUT of one file failed")
		}
		t.Logf("error: %v", err)
		if !strings.Contains(err.Error(), victim.LocalPath) {
			t.Errorf("error %q does not name %s", err, victim.LocalPath)
		}
		var re *azcore.ResponseError
		if !errors.As(err, &re) || re.StatusCode != http.StatusInternalServerError {
			t.Errorf("error %v does not wrap the 500 response", err)
		}
		if n := countComp(rec.requests(http.MethodPut), "metadata"); n != 0 {
			t.Errorf("%d metadata writes after a failure", n)
		}
		if meta, ok := listBlobs(t, c)[plan.IndicatorBlob]; ok && meta["upload_status"] != "" {
			t.Errorf("indicator marked %v after a failed upload", meta)
		}
	})

	t.Run("transient failures are retried by the pipeline", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		var failedBlock, failedPut atomic.Bool
		rec.fail = func(req *http.Request) (int, error) {
			if req.Method != http.MethodPut {
				return 0, nil
			}
			switch req.URL.Query().Get("comp") {
			case "block":
				if failedBlock.CompareAndSwap(false, true) {
					return http.StatusServiceUnavailable, nil
				}
			case "":
				if failedPut.CompareAndSwap(false, true) {
					return 0, errors.New("connection reset by peer")
				}
			}
			return 0, nil
		}
		res, err := Execute(ctx, c, plan, opts)
		if err != nil {
			t.Fatalf("one transient failure per request kind should be retried: %v", err)
		}
		if !failedBlock.Load() || !failedPut.Load() {
			t.Fatal("the failures were never injected")
		}
		big := fileNamed(t, plan, "big/weights.bin")
		local, _ := os.ReadFile(big.LocalPath)
		if got := blobBytes(t, c, big.BlobName); !bytes.Equal(got, local) {
			t.Error("retried blocks produced a different blob")
		}
		if res.Files != len(plan.Files) {
			t.Errorf("Files = %d", res.Files)
		}
	})

	t.Run("cancel stops the upload without a marker", func(t *testing.T) {
		rec := &recorder{}
		c, _ := newContainer(t, inst, rec)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		o := opts
		o.FileConcurrency = 1
		o.Progress = func(e Event) {
			if e.Kind == EventFileDone {
				cancel()
			}
		}
		_, err := Execute(cctx, c, plan, o)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		t.Logf("error: %v", err)
		if !strings.Contains(err.Error(), plan.Source) {
			t.Errorf("error %q names neither a file nor the source", err)
		}
		if n := countComp(rec.requests(http.MethodPut), "metadata"); n != 0 {
			t.Errorf("%d metadata writes after cancel", n)
		}
		if meta := listBlobs(t, c)[plan.IndicatorBlob]; meta["upload_status"] != "" {
			t.Errorf("indicator marked %v after cancel", meta)
		}
	})

	t.Run("SAS token never appears in errors", func(t *testing.T) {
		rec := &recorder{}
		shared, name := newContainer(t, inst, &recorder{})
		_ = shared
		cred, _ := container.NewSharedKeyCredential(inst.Account, inst.Key)
		perms := sas.ContainerPermissions{Read: true, Write: true, Create: true, Add: true, List: true}
		qp, err := sas.BlobSignatureValues{
			Protocol:      sas.ProtocolHTTPSandHTTP,
			ExpiryTime:    time.Now().Add(time.Hour),
			Permissions:   perms.String(),
			ContainerName: name,
		}.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		sig := qp.Signature()
		c, err := container.NewClientWithNoCredential(inst.ServiceURL+"/"+name+"?"+qp.Encode(), &container.ClientOptions{
			ClientOptions: azcore.ClientOptions{Transport: rec, Retry: testRetry()},
		})
		if err != nil {
			t.Fatal(err)
		}
		rec.fail = func(req *http.Request) (int, error) {
			if req.Method == http.MethodPut && req.URL.Query().Get("comp") == "block" {
				// What net/http returns: the full URL, query included.
				return 0, &url.Error{Op: "Put", URL: req.URL.String(), Err: errors.New("connection reset by peer")}
			}
			return 0, nil
		}
		_, err = Execute(ctx, c, plan, opts)
		if err == nil {
			t.Fatal("Execute succeeded with failing blocks")
		}
		t.Logf("error: %v", err)
		if strings.Contains(err.Error(), sig) || strings.Contains(err.Error(), url.QueryEscape(sig)) {
			t.Errorf("error leaks the SAS signature: %v", err)
		}
		if !strings.Contains(err.Error(), "weights.bin") || !strings.Contains(err.Error(), "connection reset") {
			t.Errorf("error %q lost the file or the cause", err)
		}
		// The same SAS client works when the transport does.
		rec.reset()
		if _, err := Execute(ctx, c, plan, opts); err != nil {
			t.Fatalf("upload with a SAS client: %v", err)
		}
	})

	t.Run("probe without read permission explains the roles", func(t *testing.T) {
		_, name := newContainer(t, inst, &recorder{})
		cred, _ := container.NewSharedKeyCredential(inst.Account, inst.Key)
		perms := sas.ContainerPermissions{Write: true, Create: true}
		qp, err := sas.BlobSignatureValues{
			Protocol:      sas.ProtocolHTTPSandHTTP,
			ExpiryTime:    time.Now().Add(time.Hour),
			Permissions:   perms.String(),
			ContainerName: name,
		}.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		c, err := container.NewClientWithNoCredential(inst.ServiceURL+"/"+name+"?"+qp.Encode(), &container.ClientOptions{
			ClientOptions: azcore.ClientOptions{Retry: testRetry()},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Execute(ctx, c, plan, opts)
		t.Logf("error: %v", err)
		if err == nil || !strings.Contains(err.Error(), "Storage Blob Data Contributor") {
			t.Errorf("error %v, want the role hint", err)
		}
		if err != nil && strings.Contains(err.Error(), qp.Signature()) {
			t.Errorf("error leaks the SAS signature: %v", err)
		}
	})
}

// TestExecuteLargeFileInBlocks uploads a file several blocks long and
// checks the committed blob block by block.
func TestExecuteLargeFileInBlocks(t *testing.T) {
	inst := startAzurite(t)
	ctx := context.Background()
	dir := t.TempDir()
	content := pseudoRandom(20 * mib)
	path := filepath.Join(dir, "model #1 & 100%.bin")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := NewPlanWith(t.Context(), path, PlanOptions{Layout: Layout{BlockSize: 4 * mib, PutLimit: 4 * mib}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	c, _ := newContainer(t, inst, rec)
	res, err := Execute(ctx, c, plan, Options{BlockConcurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bytes != int64(len(content)) || res.Files != 1 {
		t.Errorf("result %+v", res)
	}
	if got := blobBytes(t, c, plan.RemotePath); !bytes.Equal(got, content) {
		t.Fatalf("blob differs from the file (%d vs %d bytes)", len(got), len(content))
	}
	bl, err := c.NewBlockBlobClient(plan.RemotePath).GetBlockList(ctx, blockblob.BlockListTypeCommitted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bl.CommittedBlocks) != 5 {
		t.Errorf("%d committed blocks, want 5", len(bl.CommittedBlocks))
	}
	for i, b := range bl.CommittedBlocks {
		if *b.Size != 4*mib {
			t.Errorf("block %d is %d bytes, want 4 MiB", i, *b.Size)
		}
	}
	props, err := c.NewBlobClient(plan.RemotePath).GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(props.ContentMD5, md5Of(content)) {
		t.Errorf("Content-MD5 %x, want %x", props.ContentMD5, md5Of(content))
	}
	if props.Metadata == nil || lookup(props.Metadata, "upload_status") != "completed" {
		t.Errorf("single-file upload not marked: %v", props.Metadata)
	}
	for _, q := range rec.requests(http.MethodPut) {
		if q.Comp == "block" && (q.CRC64 == "" || q.CRC64 != q.BodyCRC64) {
			t.Errorf("staged block with x-ms-content-crc64 %q, body CRC-64 %q", q.CRC64, q.BodyCRC64)
		}
	}
}

func TestExecuteRejectsBadInput(t *testing.T) {
	c, err := container.NewClientWithNoCredential("http://127.0.0.1:1/acct/c", nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := &Plan{Files: []File{{LocalPath: "x", BlobName: "y"}}}
	tests := []struct {
		name string
		c    *container.Client
		plan *Plan
		opts Options
		want string
	}{
		{"nil plan", c, nil, Options{}, "needs a container client and a plan"},
		{"empty plan", c, &Plan{}, Options{}, "needs a container client and a plan"},
		{"nil client", nil, plan, Options{}, "needs a container client and a plan"},
		{"negative files", c, plan, Options{FileConcurrency: -1}, "FileConcurrency"},
		{"tiny blocks", c, plan, Options{Layout: Layout{BlockSize: 10}}, "BlockSize"},
		{"too many blocks in flight", c, plan, Options{BlockConcurrency: 1000}, "BlockConcurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Execute(context.Background(), tt.c, tt.plan, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func fileNamed(t *testing.T, plan *Plan, rel string) File {
	t.Helper()
	for _, f := range plan.Files {
		if f.RelPath == rel {
			return f
		}
	}
	t.Fatalf("no %s in plan", rel)
	return File{}
}

func countComp(reqs []recordedRequest, comp string) int {
	n := 0
	for _, q := range reqs {
		if q.Comp == comp {
			n++
		}
	}
	return n
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// pseudoRandom returns n deterministic, incompressible-looking bytes.
func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}
