package blob

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestBodyLimit checks MaxBodyBytes: a body at the limit is stored, one
// byte more gets 413 RequestBodyTooLarge and stores nothing, for Put Blob
// and Put Block alike; a body without Content-Length gets 411.
func TestBodyLimit(t *testing.T) {
	const limit = 1024
	tg := startHandler(t, func(o *Options) { o.MaxBodyBytes = limit })
	c := tg.newContainer(t)
	ctx := context.Background()

	upload(t, c, "at-limit.bin", randomBytes(t, limit), nil)
	_, err := c.NewBlockBlobClient("over.bin").Upload(ctx, nopCloser(randomBytes(t, limit+1)), nil)
	wantStatus(t, err, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")
	if !strings.Contains(err.Error(), "Options.MaxBodyBytes") {
		t.Errorf("the 413 does not say which limit applies: %v", err)
	}
	_, err = c.NewBlobClient("over.bin").GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")

	id := base64.StdEncoding.EncodeToString([]byte("b0"))
	_, err = c.NewBlockBlobClient("blocks.bin").StageBlock(ctx, id, nopCloser(randomBytes(t, 2*limit)), nil)
	wantStatus(t, err, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")
	_, err = c.NewBlockBlobClient("blocks.bin").CommitBlockList(ctx, []string{id}, nil)
	wantStatus(t, err, http.StatusBadRequest, "InvalidBlockList")

	// Blocks under the limit still add up to a larger blob.
	bb := c.NewBlockBlobClient("big.bin")
	var ids []string
	for i := range 3 {
		ids = append(ids, base64.StdEncoding.EncodeToString([]byte{byte(i)}))
		if _, err := bb.StageBlock(ctx, ids[i], nopCloser(randomBytes(t, limit)), nil); err != nil {
			t.Fatalf("stage block %d: %v", i, err)
		}
	}
	if _, err := bb.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if props, err := c.NewBlobClient("big.bin").GetProperties(ctx, nil); err != nil || *props.ContentLength != 3*limit {
		t.Errorf("committed blob: %v, %v", props.ContentLength, err)
	}

	// Chunked upload: no Content-Length.
	s := startRaw(t, func(o *Options) { o.MaxBodyBytes = limit })
	s.mustCreateContainer("cont")
	// The limit holds for every body, a block list included.
	list := "<BlockList>" + strings.Repeat("<Latest>AAAA</Latest>", 100) + "</BlockList>"
	if r := s.do(http.MethodPut, "/blob/"+testAccount+"/cont/list.bin", "comp=blocklist", list, nil, true); r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "RequestBodyTooLarge" {
		t.Errorf("oversized block list: %d %s, want 413 RequestBodyTooLarge", r.status, r.errorCode())
	}
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("streamed without a length"))
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPut, s.url+"/blob/"+testAccount+"/cont/chunked.txt?"+s.sas, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-ms-blob-type", "BlockBlob")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusLengthRequired || resp.Header.Get("x-ms-error-code") != "MissingContentLengthHeader" {
		t.Errorf("chunked upload: %d %s, want 411 MissingContentLengthHeader", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}
}
