package upload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/clierr"
)

// refusingStorage answers like Azure Storage refusing requests: with status
// and code (header and XML body) for every request refuse selects, 201/404
// for the rest so an upload gets as far as the refused request.
func refusingStorage(t *testing.T, status int, code string, refuse func(*http.Request) bool) *container.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse(r) {
			w.Header().Set("x-ms-error-code", code)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>The request was refused.
RequestId:0f1e2d3c-0000-0000-0000-000000000000
Time:2026-12-03T16:00:00.0000000Z</Message></Error>`, code)
			return
		}
		if r.Method == http.MethodHead {
			w.Header().Set("x-ms-error-code", "BlobNotFound")
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if r.URL.Query().Get("comp") == "metadata" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	c, err := container.NewClientWithNoCredential(srv.URL+"/devstoreaccount1/data?sv=2021-08-06&sig=SECRETSIGNATURE", &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: testRetry()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStorageErrorsAreOneLine: a storage refusal prints as one line (what
// was being done, code, status, meaning and fix), never the service's XML
// or the SAS signature, and still unwraps to the response error.
func TestStorageErrorsAreOneLine(t *testing.T) {
	root := filepath.Join(t.TempDir(), "in")
	writeTree(t, root, map[string]string{"small.csv": "a,b\n1,2\n", "big.bin": string(pseudoRandom(2*mib + 7))})
	layout := Layout{PutLimit: 1 * mib, BlockSize: 1 * mib}
	plan, err := NewPlanWith(t.Context(), root, PlanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	isBlockList := func(r *http.Request) bool { return r.URL.Query().Get("comp") == "blocklist" }
	always := func(*http.Request) bool { return true }
	tests := []struct {
		name     string
		status   int
		code     string
		refuse   func(*http.Request) bool
		want     []string
		wantAuth bool
	}{
		{"retried commit missing blocks", http.StatusBadRequest, "InvalidBlockList", isBlockList,
			[]string{"big.bin", "InvalidBlockList (HTTP 400 Bad Request)", "run the command again"}, false},
		{"signature refused", http.StatusForbidden, "AuthenticationFailed", always,
			[]string{"AuthenticationFailed (HTTP 403 Forbidden)", "account key or SAS token", "ml datastore show"}, true},
		{"role missing", http.StatusForbidden, "AuthorizationPermissionMismatch", always,
			[]string{"AuthorizationPermissionMismatch (HTTP 403 Forbidden)", "Storage Blob Data Contributor"}, true},
		{"unlisted code", http.StatusConflict, "LeaseIdMissing", always,
			[]string{"LeaseIdMissing (HTTP 409 Conflict)", "--debug"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := refusingStorage(t, tt.status, tt.code, tt.refuse)
			_, err := Execute(context.Background(), c, plan, Options{Layout: layout})
			if err == nil {
				t.Fatal("upload succeeded against a refusing storage")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			for _, leak := range []string{"\n", "<?xml", "<Code>", "RequestId", "SECRETSIGNATURE", "sig="} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q contains %q", msg, leak)
				}
			}
			var resp *azcore.ResponseError
			if !errors.As(err, &resp) || resp.ErrorCode != tt.code {
				t.Errorf("error does not unwrap to the %s response: %#v", tt.code, err)
			}
			if got := clierr.KindOf(err) == clierr.KindAuth; got != tt.wantAuth {
				t.Errorf("authentication failure = %v, want %v", got, tt.wantAuth)
			}
		})
	}
}

// TestChecksumMismatchIsSentAgain: a request the storage refuses for a
// checksum mismatch is sent again from disk (damage on the way heals), and
// after checksumAttempts refusals the error says why on one line.
func TestChecksumMismatchIsSentAgain(t *testing.T) {
	root := filepath.Join(t.TempDir(), "in")
	writeTree(t, root, map[string]string{"small.csv": "a,b\n1,2\n"})
	plan, err := NewPlanWith(t.Context(), root, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		refusals int
		wantErr  bool
	}{
		{"damaged once", 1, false},
		{"refused every time", checksumAttempts, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var puts atomic.Int32
			c := refusingStorage(t, http.StatusBadRequest, "Crc64Mismatch", func(r *http.Request) bool {
				return r.Method == http.MethodPut && r.URL.Query().Get("comp") == "" && int(puts.Add(1)) <= tt.refusals
			})
			_, err := Execute(context.Background(), c, plan, Options{})
			if got := int(puts.Load()); got != tt.refusals+boolInt(!tt.wantErr) {
				t.Errorf("%d Put Blob requests, want %d", got, tt.refusals+boolInt(!tt.wantErr))
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("upload failed after one damaged request: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "does not match the checksum taken when the file was hashed") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line on the checksum", err)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
