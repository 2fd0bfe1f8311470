package blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/mlbatch/ml/internal/blobcrc"
)

func blockID(i int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "block-%06d", i))
}

// stage stages parts[i] as blockID(first+i).
func stage(t *testing.T, bb *blockblob.Client, first int, parts ...[]byte) []string {
	t.Helper()
	var ids []string
	for i, p := range parts {
		id := blockID(first + i)
		if _, err := bb.StageBlock(context.Background(), id, nopCloser(p), nil); err != nil {
			t.Fatalf("StageBlock %d: %v", first+i, err)
		}
		ids = append(ids, id)
	}
	return ids
}

// commitXML sends a Put Block List body as written (azblob only sends
// <Latest>), signed with an account SAS, and returns the status and error
// code.
func commitXML(t *testing.T, tg target, bb *blockblob.Client, body string) (int, string) {
	t.Helper()
	cred, err := service.NewSharedKeyCredential(tg.account, tg.key)
	if err != nil {
		t.Fatal(err)
	}
	qp, err := sas.AccountSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().UTC().Add(time.Hour),
		Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Create: true}).String(),
		ResourceTypes: (&sas.AccountResourceTypes{Object: true}).String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, bb.URL()+"?comp=blocklist&"+qp.Encode(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-ms-version", "2025-01-05")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("x-ms-error-code")
}

func blockList(entries ...string) string {
	return "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + strings.Join(entries, "") + "</BlockList>"
}

func entry(kind, id string) string { return "<" + kind + ">" + id + "</" + kind + ">" }

func wantContent(t *testing.T, c *container.Client, name string, want []byte) {
	t.Helper()
	got, _ := download(t, c.NewBlobClient(name), nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s holds %d bytes, want %d (%q…)", name, len(got), len(want), want[:min(len(want), 12)])
	}
}

// testRetriedCommit: committing the same <Latest> list again (the retry
// of a commit whose answer was lost) succeeds and changes nothing, because
// Latest also searches the committed blocks (issue 13, item 2).
func testRetriedCommit(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	bb := c.NewBlockBlobClient("retry/data.bin")
	parts := [][]byte{[]byte("first "), []byte("second "), []byte("third")}
	ids := stage(t, bb, 0, parts...)
	for attempt := 1; attempt <= 2; attempt++ {
		if _, err := bb.CommitBlockList(ctx, ids, nil); err != nil {
			t.Fatalf("commit attempt %d: %v", attempt, err)
		}
		wantContent(t, c, "retry/data.bin", bytes.Join(parts, nil))
	}
}

// testBlockListKinds: Committed names a block of the current list,
// Uncommitted only a staged one, Latest prefers the staged one.
func testBlockListKinds(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	bb := c.NewBlockBlobClient("kinds.bin")
	a, b := []byte("AAAA"), []byte("BB")
	ids := stage(t, bb, 0, a, b)
	if _, err := bb.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatal(err)
	}
	// Reorder the committed blocks and append a new one.
	cc := []byte("C")
	newIDs := stage(t, bb, 2, cc)
	if st, code := commitXML(t, tg, bb, blockList(entry("Committed", ids[1]), entry("Committed", ids[0]), entry("Uncommitted", newIDs[0]))); st != http.StatusCreated {
		t.Fatalf("commit Committed+Uncommitted: %d %s", st, code)
	}
	wantContent(t, c, "kinds.bin", []byte("BBAAAAC"))

	// A committed block is not Uncommitted.
	if st, code := commitXML(t, tg, bb, blockList(entry("Uncommitted", ids[0]))); st != http.StatusBadRequest || code != "InvalidBlockList" {
		t.Errorf("Uncommitted naming a committed block: %d %s, want 400 InvalidBlockList", st, code)
	}
	// A staged block is not Committed.
	staged := stage(t, bb, 7, []byte("new"))
	if st, code := commitXML(t, tg, bb, blockList(entry("Committed", staged[0]))); st != http.StatusBadRequest || code != "InvalidBlockList" {
		t.Errorf("Committed naming a staged block: %d %s, want 400 InvalidBlockList", st, code)
	}
	// Latest takes the staged block over the committed one of the same id.
	restaged := stage(t, bb, 0, []byte("aaaa-new"))
	if st, code := commitXML(t, tg, bb, blockList(entry("Latest", restaged[0]), entry("Latest", ids[1]))); st != http.StatusCreated {
		t.Fatalf("commit Latest: %d %s", st, code)
	}
	wantContent(t, c, "kinds.bin", []byte("aaaa-newBB"))
	// Blocks left out of a commit are gone: block 2 ("C") was dropped.
	if st, code := commitXML(t, tg, bb, blockList(entry("Latest", newIDs[0]))); st != http.StatusBadRequest || code != "InvalidBlockList" {
		t.Errorf("Latest naming a block dropped by the last commit: %d %s, want 400 InvalidBlockList", st, code)
	}
	// A Put Blob replaces the committed list.
	upload(t, c, "kinds.bin", []byte("whole"), nil)
	if st, code := commitXML(t, tg, bb, blockList(entry("Committed", ids[1]))); st != http.StatusBadRequest || code != "InvalidBlockList" {
		t.Errorf("Committed after Put Blob: %d %s, want 400 InvalidBlockList", st, code)
	}
}

// testCRC64: a block or blob whose x-ms-content-crc64 does not match is
// refused and not stored; the right one is accepted and echoed.
func testCRC64(t *testing.T, tg target) {
	ctx := context.Background()
	c := tg.newContainer(t)
	data := []byte("checked by CRC-64")
	wrong := blobcrc.Checksum([]byte("something else"))
	bb := c.NewBlockBlobClient("crc.bin")
	id := blockID(0)
	_, err := bb.StageBlock(ctx, id, nopCloser(data), &blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeCRC64(wrong)})
	if tg.azurite {
		// Azurite 3.35 does not check x-ms-content-crc64 (Azure does).
		if err != nil {
			t.Fatalf("Azurite refused a CRC-64 it does not check: %v", err)
		}
		return
	}
	wantStatus(t, err, http.StatusBadRequest, "Crc64Mismatch")
	_, err = bb.CommitBlockList(ctx, []string{id}, nil)
	wantStatus(t, err, http.StatusBadRequest, "InvalidBlockList")
	resp, err := bb.StageBlock(ctx, id, nopCloser(data), &blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeCRC64(blobcrc.Checksum(data))})
	if err != nil {
		t.Fatalf("stage with the right CRC-64: %v", err)
	}
	if !bytes.Equal(resp.ContentCRC64, blobcrc.Bytes(blobcrc.Checksum(data))) {
		t.Errorf("response x-ms-content-crc64 %x", resp.ContentCRC64)
	}
	_, err = bb.Upload(ctx, nopCloser(data), &blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeCRC64(wrong)})
	wantStatus(t, err, http.StatusBadRequest, "Crc64Mismatch")
	if _, err := bb.Upload(ctx, nopCloser(data), &blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeComputeCRC64()}); err != nil {
		t.Fatalf("Put Blob with azblob's computed CRC-64: %v", err)
	}
	wantContent(t, c, "crc.bin", data)
}

// TestStagedBlocksExpire: uncommitted blocks of an upload that never
// committed are discarded once the retention period has passed since the
// newest of them was staged, by the handler's clock; younger ones stay.
func TestStagedBlocksExpire(t *testing.T) {
	// Requests are signed with the real time, so the handler's clock runs
	// from it; block ages are set by moving their staging times back.
	offset := time.Duration(0)
	clock := func() time.Time { return time.Now().Add(offset) }
	const retention = 48 * time.Hour
	tg := startHandler(t, func(o *Options) { o.Now = clock; o.StagedBlockRetention = retention })
	c := tg.newContainer(t)
	h := tg.handler
	stagedAt := func(name string, id string, age time.Duration) {
		t.Helper()
		key, _ := decodeBlockID(id)
		p := filepath.Join(h.stageDir(testAccount, containerName(t, tg, c), name), key)
		when := clock().Add(-age)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	abandoned := c.NewBlockBlobClient("killed/upload.bin")
	stagedAt("killed/upload.bin", stage(t, abandoned, 0, []byte("never committed"))[0], 49*time.Hour)
	recent := c.NewBlockBlobClient("slow/upload.bin")
	old := stage(t, recent, 0, []byte("staged two days ago"))
	stagedAt("slow/upload.bin", old[0], 50*time.Hour)
	more := stage(t, recent, 1, []byte("and now"))

	h.collectStaged()
	stageDirs, _ := filepath.Glob(filepath.Join(h.stageRoot(), "*", "*", "*"))
	if len(stageDirs) != 1 {
		t.Fatalf("%d blobs with staged blocks after the sweep, want 1 (slow/upload.bin): %v", len(stageDirs), stageDirs)
	}
	// The blob still being uploaded keeps every block, the old one too.
	if _, err := recent.CommitBlockList(context.Background(), append(old, more...), nil); err != nil {
		t.Fatalf("commit of the blob still being uploaded: %v", err)
	}
	if _, err := abandoned.CommitBlockList(context.Background(), []string{blockID(0)}, nil); err == nil {
		t.Error("the expired block could still be committed")
	}

	// A sweep also runs when a handler starts, by its clock.
	stage(t, c.NewBlockBlobClient("again.bin"), 0, []byte("x"))
	offset = retention - time.Minute
	restart := func() {
		t.Helper()
		if _, err := NewHandler(Options{Root: tg.root, Accounts: map[string][]byte{testAccount: []byte("k")}, Now: clock, StagedBlockRetention: retention}); err != nil {
			t.Fatal(err)
		}
	}
	restart()
	if left, _ := filepath.Glob(filepath.Join(h.stageRoot(), "*", "*", "*")); len(left) != 1 {
		t.Errorf("blocks younger than the retention were discarded at start: %v", left)
	}
	offset = retention + time.Minute
	restart()
	if left, _ := filepath.Glob(filepath.Join(h.stageRoot(), "*", "*", "*")); len(left) != 0 {
		t.Errorf("staged blocks left after a start past their retention: %v", left)
	}
	if _, err := NewHandler(Options{Root: tg.root, Accounts: map[string][]byte{testAccount: []byte("k")}, StagedBlockRetention: -time.Second}); err == nil {
		t.Error("a negative retention was accepted")
	}
}
