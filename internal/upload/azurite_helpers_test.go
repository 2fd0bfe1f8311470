package upload

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"github.com/mlbatch/ml/internal/blobcrc"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// recordedRequest is what the recording transport saw.
type recordedRequest struct {
	Method     string
	Path       string // decoded URL path
	Comp       string // the comp= query parameter (block, blocklist, metadata...)
	ContentMD5 string // the Content-MD5 header, base64
	BodyMD5    string // MD5 of the body actually sent, base64
	CRC64      string // the x-ms-content-crc64 header, base64
	BodyCRC64  string // CRC-64 of the body actually sent, base64
	BlobMD5    string // the x-ms-blob-content-md5 header, base64
	Status     int    // the response's status (0: no response)
	ErrorCode  string // the response's x-ms-error-code
}

// recorder is an azcore transport that records requests and can fail
// chosen ones, to watch and break Execute's traffic.
type recorder struct {
	base http.Client
	mu   sync.Mutex
	reqs []recordedRequest
	// fail, when set, decides per request: a non-nil error is returned as a
	// transport error; a status > 0 is answered without reaching Azurite.
	fail func(req *http.Request) (status int, err error)
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var data []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		data, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
	bodyMD5 := base64.StdEncoding.EncodeToString(md5Of(data))
	r.mu.Lock()
	at := len(r.reqs)
	r.reqs = append(r.reqs, recordedRequest{
		Method: req.Method,
		Path:   req.URL.Path,
		Comp:   req.URL.Query().Get("comp"),
		// azblob sets the key as "Content-MD5", which Header.Get (looking
		// for "Content-Md5") does not find.
		ContentMD5: headerValue(req.Header, "Content-MD5"),
		BodyMD5:    bodyMD5,
		CRC64:      headerValue(req.Header, "x-ms-content-crc64"),
		BodyCRC64:  blobcrc.Header(blobcrc.Checksum(data)),
		BlobMD5:    headerValue(req.Header, "x-ms-blob-content-md5"),
	})
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		status, err := fail(req)
		if err != nil {
			return nil, err
		}
		if status > 0 {
			if req.Body != nil {
				io.Copy(io.Discard, req.Body)
				req.Body.Close()
			}
			return &http.Response{
				StatusCode: status,
				Status:     http.StatusText(status),
				Header:     http.Header{"X-Ms-Error-Code": {"InternalError"}},
				Body:       io.NopCloser(strings.NewReader("")),
				Request:    req,
			}, nil
		}
	}
	resp, err := r.base.Do(req)
	if err == nil {
		r.mu.Lock()
		if at < len(r.reqs) { // not reset meanwhile
			r.reqs[at].Status, r.reqs[at].ErrorCode = resp.StatusCode, resp.Header.Get("x-ms-error-code")
		}
		r.mu.Unlock()
	}
	return resp, err
}

func headerValue(h http.Header, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// requests returns a copy of what was recorded, optionally only one method.
func (r *recorder) requests(method string) []recordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recordedRequest
	for _, q := range r.reqs {
		if method == "" || q.Method == method {
			out = append(out, q)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
	r.fail = nil
}

// startAzurite is azurite.StartLoose (these tests check the CRC-64 each
// request carries, which a strict Azurite refuses), checked: the helper picks a free port,
// closes it and starts Azurite on it, so with other test binaries running
// another server can take the port first and answer instead (seen once as a
// local-workspace server returning 401 to our container create). A response
// without Azurite's Server header means that happened; start again.
func startAzurite(t testing.TB) *azurite.Instance {
	t.Helper()
	return startAzuriteWith(t, azurite.StartLoose)
}

// startAzuriteWith is startAzurite with the given way to start Azurite.
func startAzuriteWith(t testing.TB, start func(testing.TB) *azurite.Instance) *azurite.Instance {
	t.Helper()
	for attempt := 1; ; attempt++ {
		inst := start(t)
		resp, err := http.Get(inst.ServiceURL + "?comp=list")
		if err == nil {
			resp.Body.Close()
			if strings.HasPrefix(resp.Header.Get("Server"), "Azurite-Blob") {
				return inst
			}
		}
		if attempt == 3 {
			t.Fatalf("azurite: %s is not answered by Azurite after 3 starts (port taken by another server?)", inst.ServiceURL)
		}
		t.Logf("azurite: %s answered by something else; starting again", inst.ServiceURL)
	}
}

// testRetry is RetryOptions with short delays so failure tests stay fast.
func testRetry() policy.RetryOptions {
	o := RetryOptions()
	o.MaxRetries = 2
	o.RetryDelay = time.Millisecond
	o.MaxRetryDelay = 5 * time.Millisecond
	return o
}

// newContainer creates a fresh container on inst and returns a shared-key
// client whose traffic goes through rec.
func newContainer(t testing.TB, inst *azurite.Instance, rec *recorder) (*container.Client, string) {
	t.Helper()
	name := "t" + randomHex(t, 8)
	cred, err := container.NewSharedKeyCredential(inst.Account, inst.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(inst.ServiceURL+"/"+name, cred, &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: rec, Retry: testRetry()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(context.Background(), nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
	return c, name
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// blobBytes downloads a blob.
func blobBytes(t testing.TB, c *container.Client, name string) []byte {
	t.Helper()
	resp, err := c.NewBlobClient(name).DownloadStream(context.Background(), nil)
	if err != nil {
		t.Fatalf("download %s: %v", name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("download %s: %v", name, err)
	}
	return data
}

// listBlobs returns blob name → metadata (keys as stored by the service).
func listBlobs(t testing.TB, c *container.Client) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list blobs: %v", err)
		}
		for _, b := range page.Segment.BlobItems {
			meta := map[string]string{}
			for k, v := range b.Metadata {
				if v != nil {
					meta[k] = *v
				}
			}
			out[*b.Name] = meta
		}
	}
	return out
}

func md5Of(b []byte) []byte {
	s := md5.Sum(b)
	return s[:]
}
