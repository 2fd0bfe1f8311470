package blob

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// recordedExchange is one request/response pair of a recorded fixture.
type recordedExchange struct {
	Request struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"request"`
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
	} `json:"response"`
}

// TestRecordedUploadProbe replays the HEAD probes azure-ai-ml sends before
// a local upload (recorded against Azure, testdata/upload_probe_recorded.json)
// against the handler, after storing the indicator blob the way the SDK
// does, and compares status and headers with what Azure answered.
func TestRecordedUploadProbe(t *testing.T) {
	data, err := os.ReadFile("testdata/upload_probe_recorded.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct{ Entries []recordedExchange }
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	if len(fixture.Entries) != 2 {
		t.Fatalf("fixture has %d exchanges, want the 2 HEAD probes", len(fixture.Entries))
	}
	s := startRaw(t, nil)
	indicator := fixture.Entries[0]
	u, err := url.Parse(indicator.Request.URL)
	if err != nil {
		t.Fatal(err)
	}
	containerName, blobPath, _ := strings.Cut(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	s.mustCreateContainer(containerName)

	// The upload azure-ai-ml made before the probe: content of the recorded
	// size (the real bytes are not recorded), then the metadata.
	size, err := strconv.Atoi(indicator.Response.Headers["Content-Length"])
	if err != nil {
		t.Fatal(err)
	}
	content := randomBytes(t, size)
	s.mustPut(containerName, blobPath, string(content))
	meta := http.Header{}
	for k, v := range indicator.Response.Headers {
		if strings.HasPrefix(k, "x-ms-meta-") {
			meta.Set(k, v)
		}
	}
	if r := s.do(http.MethodPut, "/blob/"+testAccount+"/"+containerName+"/"+blobPath, "comp=metadata", "", meta, true); r.status != http.StatusOK {
		t.Fatalf("set metadata: %d %s", r.status, r.body)
	}

	for _, ex := range fixture.Entries {
		u, err := url.Parse(ex.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		for k, v := range ex.Request.Headers {
			if k != "x-ms-date" { // a SAS request; the recorded date is years old
				h.Set(k, v)
			}
		}
		r := s.do(ex.Request.Method, "/blob/"+testAccount+u.EscapedPath(), "", "", h, true)
		if r.status != ex.Response.Status {
			t.Errorf("%s %s: status %d, Azure answered %d", ex.Request.Method, u.Path, r.status, ex.Response.Status)
		}
		for k, want := range ex.Response.Headers {
			if k == "Content-MD5" {
				sum := md5.Sum(content) // the recorded hash is of the real bytes
				want = base64.StdEncoding.EncodeToString(sum[:])
			}
			if got := r.header.Get(k); got != want {
				t.Errorf("%s %s: %s = %q, Azure answered %q", ex.Request.Method, u.Path, k, got, want)
			}
		}
	}
}
