// Package httptrace prints HTTP exchanges for --debug with every secret
// redacted: Authorization and key headers, SAS signatures and other
// credentials in query strings, and secret fields (account keys, SAS tokens,
// access tokens) in JSON bodies. It plugs into azcore pipelines as a policy
// and into plain http.Clients as a RoundTripper.
package httptrace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Redacted replaces every secret value.
const Redacted = "REDACTED"

// maxBody bounds how much of a body is printed; uploads are not traced byte
// by byte.
const maxBody = 4096

// secretHeaders are never printed.
var secretHeaders = map[string]bool{
	"authorization":                  true,
	"x-ms-encryption-key":            true,
	"x-ms-copy-source-authorization": true,
	"cookie":                         true,
	"set-cookie":                     true,
	"ocp-apim-subscription-key":      true,
	"api-key":                        true,
}

// secretQuery are query parameters that carry credentials (SAS signature,
// tokens).
var secretQuery = map[string]bool{"sig": true, "token": true, "code": true, "client_secret": true, "access_token": true, "skoid": true, "sktid": true, "skv": true}

// secretFields are JSON keys whose values are credentials.
var secretFields = map[string]bool{
	"key": true, "primarykey": true, "secondarykey": true, "sastoken": true, "accesstoken": true,
	"access_token": true, "refresh_token": true, "token": true, "clientsecret": true, "client_secret": true,
	"password": true, "accountkey": true, "connectionstring": true, "secret": true,
}

// Tracer writes traces to W. It is safe for concurrent use.
type Tracer struct {
	W  io.Writer
	mu sync.Mutex
}

// Do implements policy.Policy for azcore pipelines (add it per retry, so
// each attempt is traced).
func (t *Tracer) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	var body []byte
	if req.Body() != nil {
		body = peek(req.Body())
	}
	start := time.Now()
	resp, err := req.Next()
	t.write(raw, body, resp, err, time.Since(start))
	return resp, err
}

// Transport wraps next (http.DefaultTransport when nil) so a plain
// http.Client is traced too.
func (t *Tracer) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.GetBody != nil {
			if rc, err := r.GetBody(); err == nil {
				body, _ = io.ReadAll(io.LimitReader(rc, maxBody+1))
				rc.Close()
			}
		}
		start := time.Now()
		resp, err := next.RoundTrip(r)
		t.write(r, body, resp, err, time.Since(start))
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// peek reads the start of a seekable body and rewinds it.
func peek(rs io.ReadSeeker) []byte {
	b, _ := io.ReadAll(io.LimitReader(rs, maxBody+1))
	_, _ = rs.Seek(0, io.SeekStart)
	return b
}

func (t *Tracer) write(req *http.Request, reqBody []byte, resp *http.Response, err error, d time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "DEBUG: Request: %s %s\n", req.Method, RedactURL(req.URL))
	writeHeaders(&b, req.Header)
	if len(reqBody) > 0 && isJSON(req.Header.Get("Content-Type"), reqBody) {
		fmt.Fprintf(&b, "DEBUG:   body: %s\n", RedactJSON(reqBody))
	} else if len(reqBody) > 0 {
		fmt.Fprintf(&b, "DEBUG:   body: <%d+ bytes not shown>\n", len(reqBody))
	}
	if err != nil {
		fmt.Fprintf(&b, "DEBUG: Response: error after %s: %s\n", d.Round(time.Millisecond), RedactText(err.Error()))
	} else if resp != nil {
		fmt.Fprintf(&b, "DEBUG: Response: %d %s (%s)\n", resp.StatusCode, http.StatusText(resp.StatusCode), d.Round(time.Millisecond))
		writeHeaders(&b, resp.Header)
		if body := responseBody(resp); len(body) > 0 {
			fmt.Fprintf(&b, "DEBUG:   body: %s\n", RedactJSON(body))
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.W, b.String())
}

// responseBody returns the start of a JSON response body and puts the body
// back for the caller.
func responseBody(resp *http.Response) []byte {
	if resp.Body == nil || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return nil
	}
	all, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(all))
	if err != nil {
		return nil
	}
	if len(all) > maxBody {
		return all[:maxBody]
	}
	return all
}

func isJSON(contentType string, body []byte) bool {
	if strings.Contains(contentType, "json") {
		return true
	}
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

func writeHeaders(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		lower := strings.ToLower(k)
		if secretHeaders[lower] {
			v = Redacted
		} else if lower == "location" || lower == "azure-asyncoperation" || strings.HasSuffix(lower, "-url") {
			if u, err := url.Parse(v); err == nil {
				v = RedactURL(u)
			}
		}
		fmt.Fprintf(b, "DEBUG:   %s: %s\n", k, v)
	}
}

// RedactURL returns u as text with credential query values replaced.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	q := c.Query()
	changed := false
	for k := range q {
		if secretQuery[strings.ToLower(k)] {
			q.Set(k, Redacted)
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// RedactJSON returns body with secret fields replaced; a body that is not
// valid JSON (e.g. cut at maxBody) is redacted as text.
func RedactJSON(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return RedactText(string(body))
	}
	v = redactValue(v)
	out, err := json.Marshal(v)
	if err != nil {
		return RedactText(string(body))
	}
	return string(out)
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretFields[strings.ToLower(k)] {
				if _, isStr := val.(string); isStr {
					x[k] = Redacted
					continue
				}
			}
			x[k] = redactValue(val)
		}
	case []any:
		for i := range x {
			x[i] = redactValue(x[i])
		}
	case string:
		return RedactText(x)
	}
	return v
}

// RedactText hides credentials embedded in free text: SAS signatures in
// URLs, bearer tokens, AccountKey= in connection strings.
func RedactText(s string) string {
	s = redactAfter(s, "sig=", "&\" \n'")
	s = redactAfter(s, "AccountKey=", ";\" \n'")
	s = redactAfter(s, "SharedAccessSignature=", ";\" \n'")
	s = redactAfter(s, "Bearer ", "\" \n',")
	s = redactAfter(s, "SharedKey ", "\" \n',")
	return s
}

func redactAfter(s, marker, stops string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, marker)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(marker)])
		rest := s[i+len(marker):]
		end := strings.IndexAny(rest, stops)
		if end < 0 {
			end = len(rest)
		}
		if end > 0 {
			b.WriteString(Redacted)
		}
		s = rest[end:]
	}
}
