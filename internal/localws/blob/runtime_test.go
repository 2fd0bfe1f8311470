package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// TestFilesWrittenByTheRuntime covers the batch runtime's side: files
// written straight into the content tree are listed and downloadable,
// Record gives them properties, and a later rewrite of the file makes the
// service stop trusting the recorded properties.
func TestFilesWrittenByTheRuntime(t *testing.T) {
	tg := startHandler(t, nil)
	h, ctx := tg.handler, context.Background()
	if err := h.EnsureContainer(testAccount, "workspaceblobstore"); err != nil {
		t.Fatalf("EnsureContainer: %v", err)
	}
	if err := h.EnsureContainer(testAccount, "workspaceblobstore"); err != nil {
		t.Fatalf("EnsureContainer again: %v", err)
	}
	c := tg.service(t).NewContainerClient("workspaceblobstore")

	p, err := h.LocalPath(testAccount, "workspaceblobstore", "azureml/job-1/score/predictions.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	content := []byte("file,prediction\na.png,7\n")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	var names []string
	for pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: ptr("azureml/job-1/")}); pager.More(); {
		resp, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range resp.Segment.BlobItems {
			names = append(names, *it.Name)
		}
	}
	if !slices.Equal(names, []string{"azureml/job-1/score/predictions.csv"}) {
		t.Errorf("listing = %v", names)
	}
	bc := c.NewBlobClient("azureml/job-1/score/predictions.csv")
	got, dl := download(t, bc, nil)
	if !bytes.Equal(got, content) || dl.ContentMD5 != nil || *dl.ContentType != "application/octet-stream" {
		t.Errorf("unrecorded file: %q, MD5 %x, type %v", got, dl.ContentMD5, *dl.ContentType)
	}
	before, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := bc.GetProperties(ctx, nil)
	if *again.ETag != *before.ETag {
		t.Errorf("the derived ETag of an unchanged file changed: %s then %s", *before.ETag, *again.ETag)
	}

	if err := h.Record(ctx, testAccount, "workspaceblobstore", "azureml/job-1/score/predictions.csv",
		&PutOptions{ContentType: "text/csv", Metadata: map[string]string{"Job": "job-1"}}); err != nil {
		t.Fatalf("Record: %v", err)
	}
	props, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(content)
	if !bytes.Equal(props.ContentMD5, sum[:]) || *props.ContentType != "text/csv" || !metaEqualFold(props.Metadata, map[string]string{"job": "job-1"}) {
		t.Errorf("recorded properties: MD5 %x type %s metadata %v", props.ContentMD5, *props.ContentType, props.Metadata)
	}
	if *props.ETag == *before.ETag {
		t.Errorf("Record kept the ETag %s", *props.ETag)
	}

	// The runtime appends to the file: the recorded MD5 no longer holds.
	// (The size changes, so this does not depend on clock resolution.)
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("b.png,3\n")
	f.Close()
	stale, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stale.ContentMD5 != nil || *stale.ContentLength != int64(len(content)+8) || *stale.ETag == *props.ETag {
		t.Errorf("after a rewrite: MD5 %x length %d ETag %s (recorded ETag %s)", stale.ContentMD5, *stale.ContentLength, *stale.ETag, *props.ETag)
	}

	if err := h.Record(ctx, testAccount, "workspaceblobstore", "absent.csv", nil); err == nil {
		t.Error("Record of a missing file succeeded")
	}
	if err := h.Record(ctx, testAccount, "workspaceblobstore", "x.csv", &PutOptions{Metadata: map[string]string{"bad-name": "v"}}); err == nil || !strings.Contains(err.Error(), "bad-name") {
		t.Errorf("Record with an invalid metadata name: %v", err)
	}
	if err := h.EnsureContainer(testAccount, "No_Good"); err == nil {
		t.Error("EnsureContainer accepted an invalid container name")
	}
}

// TestPut stores a blob through the Go API and reads it back over HTTP.
func TestPut(t *testing.T) {
	tg := startHandler(t, nil)
	h, ctx := tg.handler, context.Background()
	if err := h.EnsureContainer(testAccount, "outputs"); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 100_000)
	if err := h.Put(ctx, testAccount, "outputs", "run/1/out.bin", bytes.NewReader(data), &PutOptions{ContentType: "application/x-out"}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	bc := tg.service(t).NewContainerClient("outputs").NewBlobClient("run/1/out.bin")
	got, dl := download(t, bc, nil)
	sum := md5.Sum(data)
	if !bytes.Equal(got, data) || !bytes.Equal(dl.ContentMD5, sum[:]) || *dl.ContentType != "application/x-out" {
		t.Errorf("Put then download: %d bytes, MD5 %x, type %s", len(got), dl.ContentMD5, *dl.ContentType)
	}
	err := h.Put(ctx, testAccount, "missing", "a.txt", strings.NewReader("x"), nil)
	if err == nil || !strings.Contains(err.Error(), "EnsureContainer") {
		t.Errorf("Put into a missing container: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := h.Put(cancelled, testAccount, "outputs", "never.bin", bytes.NewReader(data), nil); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if _, err := bc.GetProperties(ctx, nil); err != nil {
		t.Errorf("an earlier Put is gone: %v", err)
	}
	_, err = tg.service(t).NewContainerClient("outputs").NewBlobClient("never.bin").GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound")
}

// TestPathConflicts: a blob name cannot also be a folder of blobs here.
func TestPathConflicts(t *testing.T) {
	tg := startHandler(t, nil)
	c := tg.newContainer(t)
	ctx := context.Background()
	upload(t, c, "a", []byte("file a"), nil)
	_, err := c.NewBlockBlobClient("a/b").Upload(ctx, nopCloser([]byte("x")), nil)
	wantStatus(t, err, http.StatusConflict, "PathConflict")
	upload(t, c, "d/e", []byte("file d/e"), nil)
	_, err = c.NewBlockBlobClient("d").Upload(ctx, nopCloser([]byte("x")), nil)
	wantStatus(t, err, http.StatusConflict, "PathConflict")
	_, err = c.NewBlobClient("d").GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "BlobNotFound") // a folder is no blob
	// Deleting the last blob under d/ frees the name d.
	if _, err := c.NewBlobClient("d/e").Delete(ctx, nil); err != nil {
		t.Fatal(err)
	}
	upload(t, c, "d", []byte("now a file"), nil)
	if got, _ := download(t, c.NewBlobClient("d"), nil); string(got) != "now a file" {
		t.Errorf("d = %q", got)
	}
}

// TestConcurrentOverwrites races writers and readers on one blob: every
// read must return one complete upload, never a mix, and the final
// properties must describe the final content.
func TestConcurrentOverwrites(t *testing.T) {
	tg := startHandler(t, nil)
	c := tg.newContainer(t)
	ctx := context.Background()
	payloads := make([][]byte, 6)
	for i := range payloads {
		payloads[i] = bytes.Repeat([]byte{byte('a' + i)}, 256*1024)
	}
	upload(t, c, "hot.bin", payloads[0], nil)
	isPayload := func(b []byte) bool {
		return slices.ContainsFunc(payloads, func(p []byte) bool { return bytes.Equal(p, b) })
	}
	errs := make(chan error, 64)
	done := make(chan struct{})
	for i := range payloads {
		go func() {
			for range 3 {
				if _, err := c.NewBlockBlobClient("hot.bin").Upload(ctx, nopCloser(payloads[i]), nil); err != nil {
					errs <- err
				}
			}
			done <- struct{}{}
		}()
	}
	for range 2 {
		go func() {
			for range 10 {
				resp, err := c.NewBlobClient("hot.bin").DownloadStream(ctx, nil)
				if err != nil {
					errs <- err
					continue
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if !isPayload(buf.Bytes()) {
					errs <- errorString("a read returned a mixed or partial blob")
				}
			}
			done <- struct{}{}
		}()
	}
	for range len(payloads) + 2 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, dl := download(t, c.NewBlobClient("hot.bin"), nil)
	sum := md5.Sum(got)
	if !isPayload(got) || !bytes.Equal(dl.ContentMD5, sum[:]) {
		t.Errorf("final blob: payload %v, MD5 %x vs content %x", isPayload(got), dl.ContentMD5, sum)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
