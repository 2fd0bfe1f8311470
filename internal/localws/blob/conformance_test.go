package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// conformanceCase is one behaviour of the Blob service, written once
// against the azblob SDK and run against both the handler and Azurite.
type conformanceCase struct {
	name string
	run  func(t *testing.T, tg target)
}

var conformanceCases = []conformanceCase{
	{"create container and get its properties", testCreateContainer},
	{"put blob and download it", testPutBlobAndDownload},
	{"upload in blocks", testUploadInBlocks},
	{"ranged download", testRangedDownload},
	{"blob properties and metadata", testBlobProperties},
	{"set blob metadata", testSetMetadata},
	{"list blobs with prefix, delimiter and paging", testListBlobs},
	{"delete blob", testDeleteBlob},
	{"conditional requests", testConditionalRequests},
	{"md5 mismatch is rejected", testMD5Mismatch},
	{"retried commit of the same block list", testRetriedCommit},
	{"block list kinds latest committed uncommitted", testBlockListKinds},
	{"crc64 mismatch is rejected", testCRC64},
	{"read-only sas reads but cannot write", testReadOnlySAS},
	{"container and account sas", testContainerAndAccountSAS},
	{"create-only sas cannot overwrite", testCreateOnlySAS},
	{"expired sas is rejected", testExpiredSAS},
	{"wrong key is rejected", testWrongKey},
	{"awkward blob names", testAwkwardNames},
}

// TestConformance runs every conformance case against the local handler
// and against Azurite, so the handler is held to the emulator Microsoft
// ships, not only to our reading of the documentation. Where Azurite
// (3.35.0) departs from Azure's documented behaviour the handler follows
// Azure, and the case asserts each side's answer:
//
//   - a bad or expired signature: Azure says 403 AuthenticationFailed,
//     Azurite 403 AuthorizationFailure;
//   - a Content-MD5 that does not match the body: Azure says 400
//     Md5Mismatch, Azurite 400 InvalidOperation;
//   - a range starting at or past the end of the blob: Azure says 416
//     InvalidRange, Azurite answers 206 with "Content-Range: bytes 10-9/10"
//     and no body.
func TestConformance(t *testing.T) {
	az := azurite.StartLoose(t)
	targets := []target{
		startHandler(t, nil),
		{name: "azurite", serviceURL: az.ServiceURL, account: az.Account, key: az.Key, azurite: true},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			for _, tc := range conformanceCases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, tg) })
			}
		})
	}
}

func testCreateContainer(t *testing.T, tg target) {
	ctx := context.Background()
	name := "meta-" + randomHex(3)
	c := tg.service(t).NewContainerClient(name)
	if _, err := c.Create(ctx, &container.CreateOptions{Metadata: map[string]*string{"owner": ptr("ml")}}); err != nil {
		t.Fatalf("create: %v", err)
	}
	props, err := c.GetProperties(ctx, nil)
	if err != nil {
		t.Fatalf("get properties: %v", err)
	}
	if props.ETag == nil || *props.ETag == "" || props.LastModified == nil {
		t.Errorf("properties lack ETag or Last-Modified: %+v", props)
	}
	if !metaEqualFold(props.Metadata, map[string]string{"owner": "ml"}) {
		t.Errorf("metadata = %v, want owner=ml", props.Metadata)
	}
	_, err = c.Create(ctx, nil)
	wantStatus(t, err, http.StatusConflict, "ContainerAlreadyExists")
	_, err = tg.service(t).NewContainerClient("missing-"+randomHex(3)).GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "ContainerNotFound")
}

func testPutBlobAndDownload(t *testing.T, tg target) {
	c := tg.newContainer(t)
	data := randomBytes(t, 5*1024)
	sum := md5.Sum(data)
	resp := upload(t, c, "small.csv", data, &blockblob.UploadOptions{HTTPHeaders: &blob.HTTPHeaders{BlobContentType: ptr("text/csv")}})
	if !bytes.Equal(resp.ContentMD5, sum[:]) {
		t.Errorf("Put Blob Content-MD5 = %x, want %x", resp.ContentMD5, sum)
	}
	if resp.ETag == nil || resp.LastModified == nil {
		t.Errorf("Put Blob response lacks ETag or Last-Modified")
	}
	got, dl := download(t, c.NewBlobClient("small.csv"), nil)
	if !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes differing from the %d uploaded", len(got), len(data))
	}
	if dl.ContentType == nil || *dl.ContentType != "text/csv" {
		t.Errorf("Content-Type = %v, want text/csv", dl.ContentType)
	}
	if !bytes.Equal(dl.ContentMD5, sum[:]) {
		t.Errorf("Get Blob Content-MD5 = %x, want %x", dl.ContentMD5, sum)
	}
	if dl.ContentLength == nil || *dl.ContentLength != int64(len(data)) {
		t.Errorf("Content-Length = %v, want %d", dl.ContentLength, len(data))
	}
	_, err := c.NewBlobClient("absent.csv").DownloadStream(context.Background(), nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")
}

func testUploadInBlocks(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	// UploadStream always stages blocks; 1 MiB is its smallest block size.
	data := randomBytes(t, 2*1024*1024+12345)
	bb := c.NewBlockBlobClient("big/streamed.bin")
	if _, err := bb.UploadStream(ctx, bytes.NewReader(data), &blockblob.UploadStreamOptions{BlockSize: 1 << 20, Concurrency: 3}); err != nil {
		t.Fatalf("UploadStream: %v", err)
	}
	got, _ := download(t, c.NewBlobClient("big/streamed.bin"), nil)
	if !bytes.Equal(got, data) {
		t.Fatalf("streamed upload: downloaded %d bytes differing from the %d uploaded", len(got), len(data))
	}

	// Explicit Put Block / Put Block List, committed out of staging order.
	parts := [][]byte{randomBytes(t, 1000), randomBytes(t, 2000), randomBytes(t, 3000)}
	ids := make([]string, len(parts))
	manual := c.NewBlockBlobClient("big/manual.bin")
	for i := len(parts) - 1; i >= 0; i-- {
		ids[i] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("block-%06d", i)))
		if _, err := manual.StageBlock(ctx, ids[i], nopCloser(parts[i]), nil); err != nil {
			t.Fatalf("StageBlock %d: %v", i, err)
		}
	}
	_, err := c.NewBlobClient("big/manual.bin").GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound") // staged, not committed
	md := map[string]*string{"upload_status": ptr("completed")}
	if _, err := manual.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: ptr("application/x-custom")},
		Metadata:    md,
	}); err != nil {
		t.Fatalf("CommitBlockList: %v", err)
	}
	got, dl := download(t, c.NewBlobClient("big/manual.bin"), nil)
	if want := bytes.Join(parts, nil); !bytes.Equal(got, want) {
		t.Fatalf("committed blob has %d bytes differing from the %d staged", len(got), len(want))
	}
	if dl.ContentType == nil || *dl.ContentType != "application/x-custom" {
		t.Errorf("Content-Type = %v, want application/x-custom", dl.ContentType)
	}
	if !metaEqualFold(dl.Metadata, map[string]string{"upload_status": "completed"}) {
		t.Errorf("metadata = %v", dl.Metadata)
	}
	// A block never staged cannot be committed.
	bogus := base64.StdEncoding.EncodeToString([]byte("block-999999"))
	_, err = manual.CommitBlockList(ctx, []string{bogus}, nil)
	wantStatus(t, err, http.StatusBadRequest, "InvalidBlockList")
}

func testRangedDownload(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	data := randomBytes(t, 10000)
	upload(t, c, "ranged.bin", data, nil)
	bc := c.NewBlobClient("ranged.bin")

	for _, r := range []struct {
		offset, count int64
		want          []byte
	}{
		{100, 50, data[100:150]},
		{9990, 0, data[9990:]},      // open-ended
		{9990, 500, data[9990:]},    // clipped at the end
		{0, 1, data[:1]},            // first byte
		{0, 10000, data[:10000]},    // whole blob as a range
		{5000, 5000, data[5000:]},   // second half
		{9999, 1, data[9999:10000]}, // last byte
		{1234, 4321, data[1234:5555]} /* middle */} {
		got, resp := download(t, bc, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: r.offset, Count: r.count}})
		if !bytes.Equal(got, r.want) {
			t.Errorf("range %d+%d: got %d bytes, want %d matching", r.offset, r.count, len(got), len(r.want))
		}
		wantRange := fmt.Sprintf("bytes %d-%d/%d", r.offset, r.offset+int64(len(r.want))-1, len(data))
		if resp.ContentRange == nil || *resp.ContentRange != wantRange {
			t.Errorf("range %d+%d: Content-Range %v, want %s", r.offset, r.count, resp.ContentRange, wantRange)
		}
	}
	// Range MD5 on request.
	_, resp := download(t, bc, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 10, Count: 100}, RangeGetContentMD5: ptr(true)})
	if sum := md5.Sum(data[10:110]); !bytes.Equal(resp.ContentMD5, sum[:]) {
		t.Errorf("range Content-MD5 = %x, want %x", resp.ContentMD5, sum)
	}
	// Parallel ranged download of the whole blob in 1 KiB chunks.
	file := filepath.Join(t.TempDir(), "out.bin")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := bc.DownloadFile(ctx, f, &blob.DownloadFileOptions{BlockSize: 1024, Concurrency: 4})
	f.Close()
	if err != nil || n != int64(len(data)) {
		t.Fatalf("DownloadFile: %d bytes, %v", n, err)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, data) {
		t.Fatal("DownloadFile content differs")
	}
	past, err := bc.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 10000, Count: 10}})
	if tg.azurite {
		if err != nil || past.ContentLength == nil || *past.ContentLength != 0 {
			t.Errorf("Azurite answered a range past the end with %v, %v; expected its 206 with no body", err, past.ContentLength)
		}
	} else {
		wantStatus(t, err, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	}
}

func testBlobProperties(t *testing.T, tg target) {
	c := tg.newContainer(t)
	data := []byte("id,score\n1,0.5\n")
	sum := md5.Sum(data)
	// These names sort differently byte-wise ("a1" < "a_b") and in the
	// service's Shared Key order ("a_b" < "a1"): the request only
	// authenticates if the server orders headers the way azblob signs them.
	md := map[string]*string{"a1": ptr("x"), "a_b": ptr("y"), "upload_status": ptr("completed"), "name": ptr("88cf3abc"), "version": ptr("1")}
	upload(t, c, "LocalUpload/00000000000000000000000000000000/model/data.csv", data, &blockblob.UploadOptions{Metadata: md})
	props, err := c.NewBlobClient("LocalUpload/00000000000000000000000000000000/model/data.csv").GetProperties(context.Background(), nil)
	if err != nil {
		t.Fatalf("get properties: %v", err)
	}
	switch {
	case props.BlobType == nil || *props.BlobType != blob.BlobTypeBlockBlob:
		t.Errorf("BlobType = %v, want BlockBlob", props.BlobType)
	case props.ContentLength == nil || *props.ContentLength != int64(len(data)):
		t.Errorf("ContentLength = %v, want %d", props.ContentLength, len(data))
	case !bytes.Equal(props.ContentMD5, sum[:]):
		t.Errorf("ContentMD5 = %x, want %x", props.ContentMD5, sum)
	case props.ETag == nil || !strings.HasPrefix(string(*props.ETag), "\"0x"):
		t.Errorf("ETag = %v, want Azure's quoted 0x form", props.ETag)
	case props.LastModified == nil || time.Since(*props.LastModified) > time.Hour:
		t.Errorf("LastModified = %v", props.LastModified)
	case props.ContentType == nil || *props.ContentType != "application/octet-stream":
		t.Errorf("ContentType = %v, want the default application/octet-stream", props.ContentType)
	case !metaEqualFold(props.Metadata, map[string]string{"a1": "x", "a_b": "y", "upload_status": "completed", "name": "88cf3abc", "version": "1"}):
		t.Errorf("metadata = %v", props.Metadata)
	}
}

func testSetMetadata(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	first := upload(t, c, "m.txt", []byte("hello"), &blockblob.UploadOptions{Metadata: map[string]*string{"old": ptr("1")}})
	bc := c.NewBlobClient("m.txt")
	set, err := bc.SetMetadata(ctx, map[string]*string{"upload_status": ptr("completed"), "name": ptr("asset")}, nil)
	if err != nil {
		t.Fatalf("SetMetadata: %v", err)
	}
	if set.ETag == nil || *set.ETag == *first.ETag {
		t.Errorf("SetMetadata kept the ETag %v; it must change", set.ETag)
	}
	props, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !metaEqualFold(props.Metadata, map[string]string{"upload_status": "completed", "name": "asset"}) {
		t.Errorf("metadata after set = %v (the old pair must be gone)", props.Metadata)
	}
	if *props.ETag != *set.ETag {
		t.Errorf("properties ETag %v differs from SetMetadata's %v", *props.ETag, *set.ETag)
	}
	got, _ := download(t, bc, nil)
	if string(got) != "hello" {
		t.Errorf("content changed by SetMetadata: %q", got)
	}
	_, err = c.NewBlobClient("absent.txt").SetMetadata(ctx, map[string]*string{"a": ptr("b")}, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")
}

func testListBlobs(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	names := []string{"dir1/a.txt", "dir1/b.txt", "dir1/sub/c.txt", "dir10/x.txt", "dir2/d.txt", "e.txt", "f.txt"}
	for _, n := range names {
		upload(t, c, n, []byte(n), &blockblob.UploadOptions{Metadata: map[string]*string{"path": ptr("p")}})
	}
	flat := func(prefix string, max int32, withMeta bool) (got []string, pages int) {
		opts := &container.ListBlobsFlatOptions{MaxResults: &max, Include: container.ListBlobsInclude{Metadata: withMeta}}
		if prefix != "" {
			opts.Prefix = &prefix
		}
		pager := c.NewListBlobsFlatPager(opts)
		for pager.More() {
			resp, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list flat: %v", err)
			}
			pages++
			if len(resp.Segment.BlobItems) > int(max) {
				t.Errorf("a page has %d items, more than maxresults %d", len(resp.Segment.BlobItems), max)
			}
			for _, it := range resp.Segment.BlobItems {
				got = append(got, *it.Name)
				if *it.Properties.ContentLength != int64(len(*it.Name)) {
					t.Errorf("%s: listed Content-Length %d, want %d", *it.Name, *it.Properties.ContentLength, len(*it.Name))
				}
				if withMeta && !metaEqualFold(it.Metadata, map[string]string{"path": "p"}) {
					t.Errorf("%s: listed metadata %v", *it.Name, it.Metadata)
				}
			}
		}
		return got, pages
	}
	if got, pages := flat("", 2, true); !slices.Equal(got, names) || pages != 4 {
		t.Errorf("flat listing in pages of 2 = %v in %d pages, want %v in 4", got, pages, names)
	}
	if got, _ := flat("dir1/", 5000, false); !slices.Equal(got, names[:3]) {
		t.Errorf("flat listing of dir1/ = %v, want %v", got, names[:3])
	}
	if got, _ := flat("nothing/", 10, false); len(got) != 0 {
		t.Errorf("listing of an absent prefix = %v, want none", got)
	}

	hier := func(prefix string, max int32) (blobs, prefixes []string) {
		opts := &container.ListBlobsHierarchyOptions{MaxResults: &max}
		if prefix != "" {
			opts.Prefix = &prefix
		}
		pager := c.NewListBlobsHierarchyPager("/", opts)
		for pager.More() {
			resp, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("list hierarchy: %v", err)
			}
			for _, it := range resp.Segment.BlobItems {
				blobs = append(blobs, *it.Name)
			}
			for _, p := range resp.Segment.BlobPrefixes {
				prefixes = append(prefixes, *p.Name)
			}
		}
		return blobs, prefixes
	}
	for _, max := range []int32{5000, 1} {
		blobs, prefixes := hier("", max)
		if !slices.Equal(blobs, []string{"e.txt", "f.txt"}) || !slices.Equal(prefixes, []string{"dir1/", "dir10/", "dir2/"}) {
			t.Errorf("top level (maxresults %d): blobs %v prefixes %v", max, blobs, prefixes)
		}
		blobs, prefixes = hier("dir1/", max)
		if !slices.Equal(blobs, []string{"dir1/a.txt", "dir1/b.txt"}) || !slices.Equal(prefixes, []string{"dir1/sub/"}) {
			t.Errorf("dir1/ (maxresults %d): blobs %v prefixes %v", max, blobs, prefixes)
		}
		blobs, prefixes = hier("dir", max)
		if len(blobs) != 0 || !slices.Equal(prefixes, []string{"dir1/", "dir10/", "dir2/"}) {
			t.Errorf("prefix dir (maxresults %d): blobs %v prefixes %v", max, blobs, prefixes)
		}
	}
}

func testDeleteBlob(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "keep/a.txt", []byte("a"), nil)
	upload(t, c, "gone/b.txt", []byte("b"), nil)
	bc := c.NewBlobClient("gone/b.txt")
	if _, err := bc.Delete(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := bc.GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")
	_, err = bc.Delete(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")
	pager := c.NewListBlobsHierarchyPager("/", nil)
	var listed []string
	for pager.More() {
		resp, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range resp.Segment.BlobPrefixes {
			listed = append(listed, *p.Name)
		}
		for _, b := range resp.Segment.BlobItems {
			listed = append(listed, *b.Name)
		}
	}
	if !slices.Equal(listed, []string{"keep/"}) {
		t.Errorf("after delete the listing is %v, want [keep/]", listed)
	}
}

func testConditionalRequests(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	noOverwrite := &blockblob.UploadOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: ptr(azcore.ETagAny)}}}
	first := upload(t, c, "once.txt", []byte("first"), noOverwrite)
	_, err := c.NewBlockBlobClient("once.txt").Upload(ctx, nopCloser([]byte("second")), noOverwrite)
	wantStatus(t, err, http.StatusConflict, "BlobAlreadyExists")
	bc := c.NewBlobClient("once.txt")
	if got, _ := download(t, bc, nil); string(got) != "first" {
		t.Fatalf("a refused overwrite changed the blob to %q", got)
	}

	stale := azcore.ETag("\"0x8D0000000000000\"")
	_, err = bc.SetMetadata(ctx, map[string]*string{"k": ptr("v")}, &blob.SetMetadataOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &stale}}})
	wantStatus(t, err, http.StatusPreconditionFailed, "ConditionNotMet")
	if _, err := bc.SetMetadata(ctx, map[string]*string{"k": ptr("v")}, &blob.SetMetadataOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: first.ETag}}}); err != nil {
		t.Fatalf("SetMetadata with the current ETag: %v", err)
	}
	props, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// azblob turns a 304 into a response with no body and the error code.
	notModified, err := bc.DownloadStream(ctx, &blob.DownloadStreamOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: props.ETag}}})
	if err != nil || notModified.Body != nil || notModified.ErrorCode == nil || *notModified.ErrorCode != "ConditionNotMet" {
		t.Errorf("If-None-Match with the current ETag: %v, code %v; want 304 ConditionNotMet", err, notModified.ErrorCode)
	}
	_, err = bc.DownloadStream(ctx, &blob.DownloadStreamOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &stale}}})
	wantStatus(t, err, http.StatusPreconditionFailed, "ConditionNotMet")
	_, err = bc.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &stale}}})
	wantStatus(t, err, http.StatusPreconditionFailed, "ConditionNotMet")
	if _, err := bc.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: props.ETag}}}); err != nil {
		t.Fatalf("delete with the current ETag: %v", err)
	}
}

func testMD5Mismatch(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	data := []byte("payload that will not match")
	wrong := md5.Sum([]byte("something else"))
	bb := c.NewBlockBlobClient("bad.bin")
	_, err := bb.Upload(ctx, nopCloser(data), &blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeMD5(wrong[:])})
	wantStatus(t, err, http.StatusBadRequest, tg.code("Md5Mismatch", "InvalidOperation"))
	_, err = c.NewBlobClient("bad.bin").GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")

	id := base64.StdEncoding.EncodeToString([]byte("block-0"))
	_, err = bb.StageBlock(ctx, id, nopCloser(data), &blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeMD5(wrong[:])})
	wantStatus(t, err, http.StatusBadRequest, tg.code("Md5Mismatch", "InvalidOperation"))
	_, err = bb.CommitBlockList(ctx, []string{id}, nil)
	wantStatus(t, err, http.StatusBadRequest, "InvalidBlockList")

	right := md5.Sum(data)
	if _, err := bb.Upload(ctx, nopCloser(data), &blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeMD5(right[:])}); err != nil {
		t.Fatalf("upload with the right MD5: %v", err)
	}
}

// sasClient builds a client that authenticates with the SAS only.
func sasBlobClient(t *testing.T, blobURL string, qp sas.QueryParameters) *blockblob.Client {
	t.Helper()
	c, err := blockblob.NewClientWithNoCredential(blobURL+"?"+qp.Encode(), &blockblob.ClientOptions{ClientOptions: clientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func blobSAS(t *testing.T, tg target, containerName, blobName string, perms sas.BlobPermissions, start, expiry time.Time) sas.QueryParameters {
	t.Helper()
	cred, err := service.NewSharedKeyCredential(tg.account, tg.key)
	if err != nil {
		t.Fatal(err)
	}
	qp, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, StartTime: start, ExpiryTime: expiry,
		Permissions: perms.String(), ContainerName: containerName, BlobName: blobName,
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	return qp
}

// containerName is the name of c. It does not use blob.ParseURL: for a
// host that is an IP address, ParseURL takes the first path segment for
// the account, which is "blob" in the handler's URLs, and the container for
// the account (azblob's GetSASURL has the same problem).
func containerName(t *testing.T, tg target, c *container.Client) string {
	t.Helper()
	name, ok := strings.CutPrefix(c.URL(), tg.serviceURL+"/")
	if !ok || name == "" || strings.Contains(name, "/") {
		t.Fatalf("container URL %s is not below %s", c.URL(), tg.serviceURL)
	}
	return name
}

func testReadOnlySAS(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "data/in.csv", []byte("a,b\n"), nil)
	now := time.Now().UTC()
	qp := blobSAS(t, tg, containerName(t, tg, c), "data/in.csv", sas.BlobPermissions{Read: true}, now.Add(-time.Hour), now.Add(time.Hour))
	ro := sasBlobClient(t, c.NewBlobClient("data/in.csv").URL(), qp)
	resp, err := ro.DownloadStream(ctx, nil)
	if err != nil {
		t.Fatalf("read with a read SAS: %v", err)
	}
	resp.Body.Close()
	if _, err := ro.GetProperties(ctx, nil); err != nil {
		t.Fatalf("properties with a read SAS: %v", err)
	}
	_, err = ro.Upload(ctx, nopCloser([]byte("overwrite")), nil)
	wantStatus(t, err, http.StatusForbidden, "AuthorizationPermissionMismatch")
	_, err = ro.Delete(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, "AuthorizationPermissionMismatch")
	// The token is bound to its blob: the signature does not verify on
	// another one.
	other := sasBlobClient(t, c.NewBlobClient("data/other.csv").URL(), qp)
	_, err = other.GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, "")
}

func testContainerAndAccountSAS(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "x/1.txt", []byte("1"), nil)
	cred, err := service.NewSharedKeyCredential(tg.account, tg.key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	perms := sas.ContainerPermissions{Read: true, List: true, Write: true, Create: true}
	qp, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: now.Add(time.Hour), Permissions: perms.String(), ContainerName: containerName(t, tg, c)}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := container.NewClientWithNoCredential(c.URL()+"?"+qp.Encode(), &container.ClientOptions{ClientOptions: clientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	upload(t, cc, "x/2.txt", []byte("2"), nil)
	var names []string
	for pager := cc.NewListBlobsFlatPager(nil); pager.More(); {
		resp, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list with a container SAS: %v", err)
		}
		for _, it := range resp.Segment.BlobItems {
			names = append(names, *it.Name)
		}
	}
	if !slices.Equal(names, []string{"x/1.txt", "x/2.txt"}) {
		t.Errorf("container SAS listing = %v", names)
	}
	_, err = cc.NewBlobClient("x/1.txt").Delete(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, "AuthorizationPermissionMismatch")

	// An account SAS (the kind listSecrets hands out) drives the whole flow.
	aqp, err := sas.AccountSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: now.Add(time.Hour),
		Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Create: true}).String(),
		ResourceTypes: (&sas.AccountResourceTypes{Container: true, Object: true}).String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.NewClientWithNoCredential(tg.serviceURL+"?"+aqp.Encode(), &service.ClientOptions{ClientOptions: clientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	ac := svc.NewContainerClient("acct-" + randomHex(3))
	if _, err := ac.Create(ctx, nil); err != nil {
		t.Fatalf("create container with an account SAS: %v", err)
	}
	upload(t, ac, "y.txt", []byte("y"), nil)
	if got, _ := download(t, ac.NewBlobClient("y.txt"), nil); string(got) != "y" {
		t.Errorf("account SAS download = %q", got)
	}
	if _, err := ac.NewBlobClient("y.txt").Delete(ctx, nil); err != nil {
		t.Errorf("delete with an account SAS: %v", err)
	}
	// The SAS has no service resource type (s): listing containers fails.
	_, err = svc.NewListContainersPager(nil).NextPage(ctx)
	wantStatus(t, err, http.StatusForbidden, "AuthorizationResourceTypeMismatch")
}

func testCreateOnlySAS(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	now := time.Now().UTC()
	qp := blobSAS(t, tg, containerName(t, tg, c), "new.txt", sas.BlobPermissions{Create: true}, time.Time{}, now.Add(time.Hour))
	bc := sasBlobClient(t, c.NewBlobClient("new.txt").URL(), qp)
	if _, err := bc.Upload(ctx, nopCloser([]byte("v1")), nil); err != nil {
		t.Fatalf("create with a create-only SAS: %v", err)
	}
	_, err := bc.Upload(ctx, nopCloser([]byte("v2")), nil)
	wantStatus(t, err, http.StatusForbidden, "AuthorizationPermissionMismatch")
	if got, _ := download(t, c.NewBlobClient("new.txt"), nil); string(got) != "v1" {
		t.Errorf("create-only SAS overwrote the blob: %q", got)
	}
}

func testExpiredSAS(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "old.txt", []byte("x"), nil)
	now := time.Now().UTC()
	qp := blobSAS(t, tg, containerName(t, tg, c), "old.txt", sas.BlobPermissions{Read: true}, now.Add(-2*time.Hour), now.Add(-time.Hour))
	_, err := sasBlobClient(t, c.NewBlobClient("old.txt").URL(), qp).DownloadStream(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, tg.code("AuthenticationFailed", "AuthorizationFailure"))
	future := blobSAS(t, tg, containerName(t, tg, c), "old.txt", sas.BlobPermissions{Read: true}, now.Add(time.Hour), now.Add(2*time.Hour))
	_, err = sasBlobClient(t, c.NewBlobClient("old.txt").URL(), future).DownloadStream(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, tg.code("AuthenticationFailed", "AuthorizationFailure"))
}

func testWrongKey(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "k.txt", []byte("x"), nil)
	bad := target{serviceURL: tg.serviceURL, account: tg.account, key: base64.StdEncoding.EncodeToString([]byte("not the account key at all......"))}
	_, err := bad.service(t).NewContainerClient(containerName(t, tg, c)).NewBlobClient("k.txt").DownloadStream(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, tg.code("AuthenticationFailed", "AuthorizationFailure"))
	_, err = bad.service(t).NewContainerClient("wrongkey-"+randomHex(2)).Create(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, tg.code("AuthenticationFailed", "AuthorizationFailure"))
}

// awkwardNames covers what breaks naive URL and path handling.
var awkwardNames = []string{
	"unicode/日本語/ファイル.txt",
	"with space/a b.txt",
	"percent%41literal%2Fnot-a-slash.txt",
	"amp&and=eq;semi,comma.txt",
	"hash#tag?query.txt",
	"plus+sign$dollar@at.txt",
	"emoji 😀/é.bin",
	"quote'single\"double.txt",
	"~tilde/(paren)[bracket]{brace}.txt",
}

func testAwkwardNames(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	for _, n := range awkwardNames {
		upload(t, c, n, []byte("content of "+n), &blockblob.UploadOptions{Metadata: map[string]*string{"original": ptr("yes")}})
	}
	for _, n := range awkwardNames {
		got, _ := download(t, c.NewBlobClient(n), nil)
		if string(got) != "content of "+n {
			t.Errorf("%q: downloaded %q", n, got)
		}
		props, err := c.NewBlobClient(n).GetProperties(ctx, nil)
		if err != nil {
			t.Errorf("%q: properties: %v", n, err)
		} else if !metaEqualFold(props.Metadata, map[string]string{"original": "yes"}) {
			t.Errorf("%q: metadata %v", n, props.Metadata)
		}
	}
	var listed []string
	for pager := c.NewListBlobsFlatPager(nil); pager.More(); {
		resp, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range resp.Segment.BlobItems {
			listed = append(listed, *it.Name)
		}
	}
	want := slices.Clone(awkwardNames)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Errorf("listing = %q\nwant      %q", listed, want)
	}
	for _, n := range awkwardNames {
		if _, err := c.NewBlobClient(n).Delete(ctx, nil); err != nil {
			t.Errorf("%q: delete: %v", n, err)
		}
	}
}

// sasBlobClientRaw is sasBlobClient for an already encoded query.
func sasBlobClientRaw(blobURL, query string) (*blockblob.Client, error) {
	return blockblob.NewClientWithNoCredential(blobURL+"?"+query, &blockblob.ClientOptions{ClientOptions: clientOptions()})
}
