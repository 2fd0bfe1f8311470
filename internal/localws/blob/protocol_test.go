package blob

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// TestResponseShapes sends raw requests for the answers the SDK tests do
// not reach and checks status, error code (header and XML body) and the
// headers every Blob service response carries.
func TestResponseShapes(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	s.mustPut("cont", "dir/file.txt", "0123456789")
	blobPath := "/blob/" + testAccount + "/cont/dir/file.txt"
	future := time.Now().UTC().Add(time.Hour).Format(http.TimeFormat)
	past := time.Now().UTC().Add(-time.Hour).Format(http.TimeFormat)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name, method, path, query, body string
		header                          http.Header
		status                          int
		code                            string
		check                           func(t *testing.T, r rawResponse)
	}{
		{name: "unescaped slash names the same blob as %2F", method: "GET", path: "/blob/" + testAccount + "/cont/dir%2Ffile.txt", status: 200,
			check: func(t *testing.T, r rawResponse) { wantBody(t, r, "0123456789") }},
		{name: "x-ms-range wins over Range", method: "GET", path: blobPath, header: hdr("x-ms-range", "bytes=2-3", "Range", "bytes=5-9"), status: 206,
			check: func(t *testing.T, r rawResponse) {
				wantBody(t, r, "23")
				wantHeader(t, r, "Content-Range", "bytes 2-3/10")
				sum := md5.Sum([]byte("0123456789"))
				wantHeader(t, r, "x-ms-blob-content-md5", base64.StdEncoding.EncodeToString(sum[:]))
			}},
		{name: "range past the end", method: "GET", path: blobPath, header: hdr("Range", "bytes=10-"), status: 416, code: "InvalidRange",
			check: func(t *testing.T, r rawResponse) { wantHeader(t, r, "Content-Range", "bytes */10") }},
		{name: "suffix range", method: "GET", path: blobPath, header: hdr("x-ms-range", "bytes=-3"), status: 400, code: "InvalidHeaderValue"},
		{name: "multiple ranges", method: "GET", path: blobPath, header: hdr("x-ms-range", "bytes=0-1,4-5"), status: 400, code: "InvalidHeaderValue"},
		{name: "range md5 of a range clipped to the blob", method: "GET", path: blobPath, header: hdr("x-ms-range", "bytes=5-5000000", "x-ms-range-get-content-md5", "true"), status: 206,
			check: func(t *testing.T, r rawResponse) {
				wantBody(t, r, "56789")
				sum := md5.Sum([]byte("56789"))
				wantHeader(t, r, "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			}},
		{name: "if-modified-since in the future", method: "GET", path: blobPath, header: hdr("If-Modified-Since", future), status: 304},
		{name: "if-unmodified-since in the past", method: "GET", path: blobPath, header: hdr("If-Unmodified-Since", past), status: 412, code: "ConditionNotMet"},
		{name: "bad conditional date", method: "GET", path: blobPath, header: hdr("If-Modified-Since", "yesterday"), status: 400, code: "InvalidHeaderValue"},
		{name: "if-match on a missing blob", method: "PUT", path: "/blob/" + testAccount + "/cont/new.txt", body: "x", header: hdr("If-Match", "\"0x1\""), status: 412, code: "ConditionNotMet"},
		{name: "head of a missing blob", method: "HEAD", path: "/blob/" + testAccount + "/cont/missing.txt", status: 404, code: "BlobNotFound"},
		{name: "blob in a missing container", method: "GET", path: "/blob/" + testAccount + "/nocont/x.txt", status: 404, code: "ContainerNotFound"},
		{name: "client request id is echoed", method: "HEAD", path: blobPath, header: hdr("x-ms-client-request-id", "trace-42"), status: 200,
			check: func(t *testing.T, r rawResponse) {
				wantHeader(t, r, "x-ms-client-request-id", "trace-42")
				wantHeader(t, r, "Content-Length", "10")
				wantHeader(t, r, "x-ms-blob-type", "BlockBlob")
			}},
		{name: "get blob metadata", method: "GET", path: blobPath, query: "comp=metadata", status: 200,
			check: func(t *testing.T, r rawResponse) { wantBody(t, r, "") }},
		{name: "lease id", method: "GET", path: blobPath, header: hdr("x-ms-lease-id", "6a6f1f1f-0000-0000-0000-000000000000"), status: 412, code: "LeaseNotPresentWithBlobOperation"},
		{name: "page blob", method: "PUT", path: "/blob/" + testAccount + "/cont/page.bin", header: hdr("x-ms-blob-type", "PageBlob"), status: 400, code: "InvalidBlobType"},
		{name: "invalid block id", method: "PUT", path: blobPath, query: "comp=block&blockid=%25%25", body: "x", status: 400, code: "InvalidQueryParameterValue"},
		{name: "missing block id", method: "PUT", path: blobPath, query: "comp=block", body: "x", status: 400, code: "MissingRequiredQueryParameter"},
		{name: "committed block reference", method: "PUT", path: blobPath, query: "comp=blocklist", body: "<BlockList><Committed>AAAA</Committed></BlockList>", status: 400, code: "InvalidBlockList"},
		{name: "malformed block list", method: "PUT", path: blobPath, query: "comp=blocklist", body: "<BlockList><Latest>AAAA</Lat", status: 400, code: "InvalidXmlDocument"},
		{name: "foreign element in block list", method: "PUT", path: blobPath, query: "comp=blocklist", body: "<BlockList><Block>AAAA</Block></BlockList>", status: 400, code: "InvalidXmlDocument"},
		{name: "invalid metadata name", method: "PUT", path: blobPath, query: "comp=metadata", header: hdr("x-ms-meta-bad-name", "v"), status: 400, code: "InvalidMetadata"},
		{name: "invalid Content-MD5", method: "PUT", path: "/blob/" + testAccount + "/cont/md5.txt", body: "x", header: hdr("Content-MD5", "not-base64"), status: 400, code: "InvalidMd5"},
		{name: "snapshot", method: "GET", path: blobPath, query: "snapshot=2024-01-01T00:00:00.0000000Z", status: 400, code: "UnsupportedQueryParameter"},
		{name: "unknown comp", method: "GET", path: blobPath, query: "comp=tags", status: 400, code: "InvalidQueryParameterValue"},
		{name: "container without restype", method: "GET", path: "/blob/" + testAccount + "/cont", status: 400, code: "MissingRequiredQueryParameter"},
		{name: "unsupported verb", method: "PATCH", path: blobPath, status: 405, code: "UnsupportedHttpVerb"},
		{name: "maxresults zero", method: "GET", path: "/blob/" + testAccount + "/cont", query: "restype=container&comp=list&maxresults=0", status: 400, code: "OutOfRangeQueryParameterValue"},
		{name: "unknown include", method: "GET", path: "/blob/" + testAccount + "/cont", query: "restype=container&comp=list&include=everything", status: 400, code: "InvalidQueryParameterValue"},
		{name: "public access", method: "PUT", path: "/blob/" + testAccount + "/public", query: "restype=container", header: hdr("x-ms-blob-public-access", "blob"), status: 400, code: "UnsupportedHeader"},
		{name: "list containers", method: "GET", path: "/blob/" + testAccount + "/", query: "comp=list&prefix=co", status: 200,
			check: func(t *testing.T, r rawResponse) {
				if !strings.Contains(r.body, "<Name>cont</Name>") || !strings.Contains(r.body, "<Prefix>co</Prefix>") {
					t.Errorf("container listing:\n%s", r.body)
				}
			}},
		{name: "path outside the prefix", method: "GET", path: "/elsewhere/" + testAccount + "/cont/x", status: 400, code: "InvalidUri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(tc.method, tc.path, tc.query, tc.body, tc.header, true)
			if r.status != tc.status {
				t.Fatalf("%d %s, want %d %s\n%s", r.status, r.header.Get("x-ms-error-code"), tc.status, tc.code, r.body)
			}
			for _, h := range []string{"x-ms-request-id", "x-ms-version", "Date"} {
				if r.header.Get(h) == "" {
					t.Errorf("response lacks %s", h)
				}
			}
			if tc.code != "" {
				if got := r.header.Get("x-ms-error-code"); got != tc.code {
					t.Errorf("x-ms-error-code %q, want %q", got, tc.code)
				}
				if tc.method != "HEAD" {
					if r.errorCode() != tc.code || r.header.Get("Content-Type") != "application/xml" {
						t.Errorf("error body code %q (Content-Type %q), want %q in XML", r.errorCode(), r.header.Get("Content-Type"), tc.code)
					}
					if !strings.Contains(r.body, "RequestId:"+r.header.Get("x-ms-request-id")) {
						t.Errorf("the message does not carry the request id:\n%s", r.body)
					}
				} else if r.body != "" {
					t.Errorf("HEAD answered with a body: %q", r.body)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func wantBody(t *testing.T, r rawResponse, want string) {
	t.Helper()
	if r.body != want {
		t.Errorf("body %q, want %q", r.body, want)
	}
}

func wantHeader(t *testing.T, r rawResponse, name, want string) {
	t.Helper()
	if got := r.header.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// TestBlobAndContainerLifecycle covers what the conformance table leaves
// out: Set Blob Properties and container deletion.
func TestBlobAndContainerLifecycle(t *testing.T) {
	tg := startHandler(t, nil)
	ctx := context.Background()
	c := tg.newContainer(t)
	upload(t, c, "p.txt", []byte("props"), nil)
	bc := c.NewBlobClient("p.txt")
	if _, err := bc.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentType: ptr("text/plain"), BlobContentDisposition: ptr("attachment")}, nil); err != nil {
		t.Fatalf("SetHTTPHeaders: %v", err)
	}
	props, err := bc.GetProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *props.ContentType != "text/plain" || props.ContentDisposition == nil || *props.ContentDisposition != "attachment" || props.ContentMD5 != nil {
		t.Errorf("after SetHTTPHeaders: type %v disposition %v md5 %x (unsent properties are cleared, as in Azure)", *props.ContentType, props.ContentDisposition, props.ContentMD5)
	}
	if _, err := c.Delete(ctx, nil); err != nil {
		t.Fatalf("delete container: %v", err)
	}
	_, err = bc.GetProperties(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "ContainerNotFound")
	_, err = c.Delete(ctx, nil)
	wantStatus(t, err, http.StatusNotFound, "ContainerNotFound")
	// Deleted means gone: a new container of the same name starts empty.
	if _, err := c.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{})
	resp, err := pager.NextPage(ctx)
	if err != nil || len(resp.Segment.BlobItems) != 0 {
		t.Errorf("recreated container lists %v, %v", resp.Segment.BlobItems, err)
	}
}
