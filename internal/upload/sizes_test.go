package upload

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/localws/blob"
	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// TestUploadSizesByteIdentical uploads files at the edges of the request
// shapes — 0 B, 1 B, exactly one block, one block + 1 B, many blocks, and
// the single Put Blob limit and one byte past it — to Azurite and to the
// local workspace's blob service (which verifies every CRC-64), then
// checks that each blob holds the file's bytes, that its Content-MD5 is
// the file's MD5, and that every request carried the CRC-64 of its body.
// Two layouts: blocks above 3 blocks (so one block and one block + 1 B go
// in a single Put Blob), and blocks above 1 KiB (so they are one and two
// staged blocks).
func TestUploadSizesByteIdentical(t *testing.T) {
	const block = 64 * kib
	sizes := map[string]int{
		"empty":               0,
		"one-byte":            1,
		"one-block":           block,
		"one-block-plus-one":  block + 1,
		"put-limit":           3 * block,
		"one-block-past":      3*block + 1, // past the 3-block put limit: 3 blocks and 1 B
		"many-blocks":         9*block + 7,
		"exactly-four-blocks": 4 * block,
	}
	root := filepath.Join(t.TempDir(), "sizes")
	tree := map[string]string{}
	for name, n := range sizes {
		tree[name+".bin"] = string(pseudoRandom(n))
	}
	writeTree(t, root, tree)
	layouts := []struct {
		name   string
		layout Layout
		// blocks is how many blocks each block-uploaded file has; the
		// others go in one Put Blob.
		blocks map[string]int
	}{
		{"put-up-to-3-blocks", Layout{PutLimit: 3 * block, BlockSize: block},
			map[string]int{"one-block-past.bin": 4, "many-blocks.bin": 10, "exactly-four-blocks.bin": 4}},
		{"put-up-to-1KiB", Layout{PutLimit: kib, BlockSize: block},
			map[string]int{"one-block.bin": 1, "one-block-plus-one.bin": 2, "put-limit.bin": 3, "one-block-past.bin": 4, "many-blocks.bin": 10, "exactly-four-blocks.bin": 4}},
	}
	inst := startAzurite(t)
	targets := map[string]func(*recorder) *container.Client{
		"azurite": func(rec *recorder) *container.Client { c, _ := newContainer(t, inst, rec); return c },
		"local":   func(rec *recorder) *container.Client { return localBlobContainer(t, rec) },
	}
	for _, l := range layouts {
		plan, err := NewPlanWith(t.Context(), root, PlanOptions{Layout: l.layout})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range plan.Files {
			wantBlockSize := int64(0)
			if _, ok := l.blocks[f.RelPath]; ok {
				wantBlockSize = block
			}
			if f.BlockSize != wantBlockSize {
				t.Errorf("%s: %s (%d bytes): block size %d, want %d", l.name, f.RelPath, f.Size, f.BlockSize, wantBlockSize)
			}
		}
		for name, open := range targets {
			t.Run(l.name+"/"+name, func(t *testing.T) {
				checkUploadByteIdentical(t, open, plan, l.blocks)
			})
		}
	}
}

// checkBlobsAreTheFiles checks that every blob of plan holds its file's bytes.
func checkBlobsAreTheFiles(t *testing.T, c *container.Client, plan *Plan) {
	t.Helper()
	for _, f := range plan.Files {
		local, err := os.ReadFile(f.LocalPath)
		if err != nil {
			t.Fatal(err)
		}
		if got := blobBytes(t, c, f.BlobName); !bytes.Equal(got, local) {
			t.Errorf("%s: blob holds %d bytes that differ from the file's %d", f.RelPath, len(got), len(local))
		}
	}
}

// checkUploadByteIdentical executes plan into a new container from open
// and checks every blob, its Content-MD5, every request's CRC-64 and the
// number of blocks staged per file (wantBlocks, by base name).
func checkUploadByteIdentical(t *testing.T, open func(*recorder) *container.Client, plan *Plan, wantBlocks map[string]int) {
	t.Helper()
	rec := &recorder{}
	c := open(rec)
	if _, err := Execute(context.Background(), c, plan, Options{BlockConcurrency: 3}); err != nil {
		t.Fatal(err)
	}
	checkBlobsAreTheFiles(t, c, plan)
	for _, f := range plan.Files {
		local, err := os.ReadFile(f.LocalPath)
		if err != nil {
			t.Fatal(err)
		}
		props, err := c.NewBlobClient(f.BlobName).GetProperties(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(props.ContentMD5, md5Of(local)) {
			t.Errorf("%s: Content-MD5 %x, want the file's %x", f.RelPath, props.ContentMD5, md5Of(local))
		}
	}
	blocks := map[string]int{}
	for _, q := range rec.requests(http.MethodPut) {
		if !strings.Contains(q.Path, "/LocalUpload/") || q.Comp != "" && q.Comp != "block" {
			continue // the container, the block list, the marker
		}
		if q.CRC64 == "" || q.CRC64 != q.BodyCRC64 {
			t.Errorf("PUT %s comp=%q: x-ms-content-crc64 %q, body CRC-64 %q", q.Path, q.Comp, q.CRC64, q.BodyCRC64)
		}
		if q.Comp == "block" {
			blocks[filepath.Base(q.Path)]++
		}
	}
	for f, n := range wantBlocks {
		if blocks[f] != n {
			t.Errorf("%s: %d blocks staged, want %d", f, blocks[f], n)
		}
	}
	for f, n := range blocks {
		if _, ok := wantBlocks[f]; !ok {
			t.Errorf("%s: %d blocks staged, want a single Put Blob", f, n)
		}
	}
}

// localBlobContainer serves a fresh local-workspace blob service and
// returns a Shared Key client for a new container on it.
func localBlobContainer(t testing.TB, rec *recorder) *container.Client {
	t.Helper()
	key := []byte("upload-test-key-0123456789abcdef")
	h, err := blob.NewHandler(blob.Options{Root: t.TempDir(), Accounts: map[string][]byte{"mllocal": key}, PathPrefix: "/blob"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	name := "t" + randomHex(t, 6)
	if err := h.EnsureContainer("mllocal", name); err != nil {
		t.Fatal(err)
	}
	cred, err := container.NewSharedKeyCredential("mllocal", base64.StdEncoding.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(fmt.Sprintf("%s/blob/mllocal/%s", srv.URL, name), cred, &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: rec, Retry: testRetry()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestUploadWithoutCRC64 uploads the edge sizes, in single Put Blobs and in
// blocks, to an Azurite started as users start it (without --loose), which
// answers every x-ms-content-crc64 with 500 FeatureNotSupported. The
// upload must fall back to transactional MD5 after the first refusal
// (one request at a time here, so exactly one is refused), never retry the
// refusal, and store every file byte for byte.
func TestUploadWithoutCRC64(t *testing.T) {
	const block = 64 * kib
	root := filepath.Join(t.TempDir(), "sizes")
	tree := map[string]string{}
	for name, n := range map[string]int{"empty": 0, "one-byte": 1, "one-block": block, "one-block-plus-one": block + 1, "many-blocks": 9*block + 7} {
		tree[name+".bin"] = string(pseudoRandom(n))
	}
	writeTree(t, root, tree)
	plan, err := NewPlanWith(t.Context(), root, PlanOptions{Layout: Layout{PutLimit: block, BlockSize: block}})
	if err != nil {
		t.Fatal(err)
	}
	inst := startAzuriteWith(t, azurite.Start)
	rec := &recorder{}
	c, _ := newContainer(t, inst, rec)
	if _, err := Execute(context.Background(), c, plan, Options{FileConcurrency: 1, BlockConcurrency: 1}); err != nil {
		t.Fatal(err)
	}
	checkBlobsAreTheFiles(t, c, plan)
	refused, sent := 0, 0
	for _, q := range rec.requests(http.MethodPut) {
		if !strings.Contains(q.Path, "/LocalUpload/") || q.Comp != "" && q.Comp != "block" {
			continue
		}
		switch {
		case q.CRC64 != "":
			refused++
			if q.Status != http.StatusInternalServerError || q.ErrorCode != "FeatureNotSupported" {
				t.Errorf("PUT %s with a CRC-64: status %d %s, want Azurite's 500 FeatureNotSupported (is it started without --loose?)", q.Path, q.Status, q.ErrorCode)
			}
		case q.ContentMD5 == "" || q.ContentMD5 != q.BodyMD5:
			t.Errorf("PUT %s comp=%q after the fallback: Content-MD5 %q, body MD5 %q", q.Path, q.Comp, q.ContentMD5, q.BodyMD5)
		default:
			sent++
		}
	}
	if refused != 1 {
		t.Errorf("%d requests sent with a CRC-64, want 1: the first refusal (not retried) switches the upload to MD5", refused)
	}
	if want := 3 + 2 + 10; sent != want { // empty, one-byte, one-block whole; 2 + 10 blocks
		t.Errorf("%d bodies sent with MD5, want %d", sent, want)
	}
}
