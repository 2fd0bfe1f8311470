package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// testAccount is the account the handler under test serves.
const testAccount = "mllocal"

// testKey is the base64 account key of testAccount (32 random-looking
// bytes; any value works).
var testKey = base64.StdEncoding.EncodeToString([]byte("local-workspace-test-key-0123456"))

// target is a Blob service a test runs against: our handler or Azurite.
type target struct {
	name       string
	serviceURL string // account URL for azblob
	account    string
	key        string // base64
	// azurite marks Azurite, whose answers differ from Azure's documented
	// ones in a few places (see azuriteDifferences).
	azurite bool
	// handler and root are set for the local handler only.
	handler *Handler
	root    string
}

// startHandler serves a new Handler under /blob/ on a 127.0.0.1 test
// server. modify may adjust the options before the handler is built.
func startHandler(tb testing.TB, modify func(*Options)) target {
	tb.Helper()
	h, root := newTestHandler(tb, modify)
	mux := http.NewServeMux()
	mux.Handle("/blob/", h)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return target{
		name:       "handler",
		serviceURL: srv.URL + "/blob/" + testAccount,
		account:    testAccount,
		key:        testKey,
		handler:    h,
		root:       root,
	}
}

// code picks the error code a target answers with: Azure's, which the
// handler follows, or Azurite's where it differs.
func (tg target) code(azure, azurite string) string {
	if tg.azurite {
		return azurite
	}
	return azure
}

// newTestHandler builds a Handler for testAccount on a fresh Root.
func newTestHandler(tb testing.TB, modify func(*Options)) (*Handler, string) {
	tb.Helper()
	root := tb.TempDir()
	key, _ := base64.StdEncoding.DecodeString(testKey)
	opts := Options{Root: root, Accounts: map[string][]byte{testAccount: key}, PathPrefix: "/blob"}
	if modify != nil {
		modify(&opts)
	}
	h, err := NewHandler(opts)
	if err != nil {
		tb.Fatalf("NewHandler: %v", err)
	}
	return h, root
}

// clientOptions turns retries off: every status is asserted as sent.
func clientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}
}

func (tg target) credential(tb testing.TB) *service.SharedKeyCredential {
	tb.Helper()
	cred, err := service.NewSharedKeyCredential(tg.account, tg.key)
	if err != nil {
		tb.Fatal(err)
	}
	return cred
}

func (tg target) service(tb testing.TB) *service.Client {
	tb.Helper()
	c, err := service.NewClientWithSharedKeyCredential(tg.serviceURL, tg.credential(tb), &service.ClientOptions{ClientOptions: clientOptions()})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newContainer creates a uniquely named container and returns its client.
func (tg target) newContainer(tb testing.TB) *container.Client {
	tb.Helper()
	name := fmt.Sprintf("c%d-%s", time.Now().UnixNano()%1e9, randomHex(4))
	c := tg.service(tb).NewContainerClient(name)
	if _, err := c.Create(context.Background(), nil); err != nil {
		tb.Fatalf("create container %s: %v", name, err)
	}
	return c
}

var counter atomic.Int64

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x%d", b, counter.Add(1))
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// upload stores data with Put Blob.
func upload(tb testing.TB, c *container.Client, name string, data []byte, opts *blockblob.UploadOptions) blockblob.UploadResponse {
	tb.Helper()
	resp, err := c.NewBlockBlobClient(name).Upload(context.Background(), nopCloser(data), opts)
	if err != nil {
		tb.Fatalf("upload %q: %v", name, err)
	}
	return resp
}

// download reads a whole blob (or a range) through DownloadStream.
func download(tb testing.TB, c *blob.Client, opts *blob.DownloadStreamOptions) ([]byte, blob.DownloadStreamResponse) {
	tb.Helper()
	resp, err := c.DownloadStream(context.Background(), opts)
	if err != nil {
		tb.Fatalf("download %s: %v", c.URL(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body of %s: %v", c.URL(), err)
	}
	return data, resp
}

type readSeekNopCloser struct{ *bytes.Reader }

func (readSeekNopCloser) Close() error { return nil }

func nopCloser(b []byte) io.ReadSeekCloser { return readSeekNopCloser{bytes.NewReader(b)} }

// wantStatus asserts that err is a service error with status and code.
func wantStatus(tb testing.TB, err error, status int, code string) {
	tb.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		tb.Fatalf("want a %d %s response error, got %v", status, code, err)
	}
	if re.StatusCode != status || (code != "" && re.ErrorCode != code) {
		tb.Fatalf("want %d %s, got %d %s", status, code, re.StatusCode, re.ErrorCode)
	}
}

// metaEqualFold compares metadata ignoring the case of names: Go clients
// canonicalize header names, so the case that comes back is not the case
// that was sent, against Azure as against Azurite.
func metaEqualFold(got map[string]*string, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		found := false
		for gk, gv := range got {
			if strings.EqualFold(gk, k) && gv != nil && *gv == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }

// logBuffer captures a handler's debug log.
func logBuffer() (*bytes.Buffer, *slog.Logger) {
	var buf bytes.Buffer
	return &buf, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
