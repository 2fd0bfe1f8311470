package httptrace

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	token      = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-payload"
	accountKey = "dGhpcyBpcyBhIHZlcnkgc2VjcmV0IGtleQ=="
	sasSig     = "c2VjcmV0LXNhcy1zaWduYXR1cmU%3D"
)

func TestTraceRedactsEverySecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "https://acct.blob.core.windows.net/c/b?sv=2021&sig="+sasSig)
		io.WriteString(w, `{"secretsType":"AccountKey","key":"`+accountKey+`","nested":{"sasToken":"sv=1&sig=`+sasSig+`"},"conn":"DefaultEndpointsProtocol=https;AccountKey=`+accountKey+`;EndpointSuffix=x"}`)
	}))
	defer srv.Close()

	var trace bytes.Buffer
	tr := &Tracer{W: &trace}
	client := &http.Client{Transport: tr.Transport(nil)}
	body := `{"properties":{"accessToken":"` + token + `","inputData":{}}}`
	req, _ := http.NewRequest("POST", srv.URL+"/jobs?sv=2021-08-06&sig="+sasSig+"&se=2030", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(got), accountKey) {
		t.Fatal("the caller must still get the real response body")
	}

	out := trace.String()
	for _, secret := range []string{token, accountKey, sasSig, "c2VjcmV0LXNhcy1zaWduYXR1cmU="} {
		if strings.Contains(out, secret) {
			t.Errorf("trace leaks %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"DEBUG: Request: POST", "/jobs?", "se=2030", "Authorization: REDACTED", "Response: 200", `"secretsType":"AccountKey"`, "inputData"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET https://a/b?sv=1&sig=abc%2F&se=2", "GET https://a/b?sv=1&sig=REDACTED&se=2"},
		{"Authorization: Bearer abc.def", "Authorization: Bearer REDACTED"},
		{"AccountName=x;AccountKey=k==;EndpointSuffix=y", "AccountName=x;AccountKey=REDACTED;EndpointSuffix=y"},
		{"SharedKey acct:sig==", "SharedKey REDACTED"},
		{"nothing secret", "nothing secret"},
	}
	for _, tt := range tests {
		if got := RedactText(tt.in); got != tt.want {
			t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
