package blob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxClockSkew is how far a Shared Key request's date may be from the
// server's clock, as in Azure.
const maxClockSkew = 15 * time.Minute

// verifySharedKey checks "Authorization: SharedKey <account>:<signature>"
// against the Blob service string-to-sign (version 2015-02-21 and later).
//
// alias, when not empty, is a second name the header may carry for the
// account, which is then also the name signed into the canonicalized
// resource: azure-storage-blob for Python takes the account name of a
// 127.0.0.1 or localhost URL from its path, so under the prefix "/blob" it
// signs as "blob/<account>".
func verifySharedKey(r *http.Request, account, alias string, key []byte, now time.Time) error {
	scheme, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if scheme != "SharedKey" {
		return authError("AuthenticationFailed", "Authorization scheme %q is not accepted here: sign requests with the account key (\"SharedKey <account>:<signature>\") or use a SAS token.", scheme)
	}
	name, signature, ok := strings.Cut(strings.TrimSpace(credential), ":")
	if !ok || name == "" || signature == "" {
		return authError("AuthenticationFailed", "The Authorization header is not of the form \"SharedKey <account>:<signature>\".")
	}
	if name != account && (alias == "" || name != alias) {
		return authError("AuthenticationFailed", "The Authorization header is signed for account %q but the URL names account %q.", name, account)
	}
	if err := checkRequestDate(r, now); err != nil {
		return err
	}
	given, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return authError("AuthenticationFailed", "The signature in the Authorization header is not valid base64.")
	}
	var first string
	for _, order := range []func(a, b string) int{compareHeaderNames, strings.Compare} {
		sts := sharedKeyStringToSign(r, name, order)
		if hmac.Equal(given, hmacSHA256(key, sts)) {
			return nil
		}
		if first == "" {
			first = sts
		}
	}
	return authError("AuthenticationFailed", "The MAC signature found in the HTTP request is not the same as any computed signature. Server used following string to sign: '%s'.", first)
}

// checkRequestDate requires x-ms-date (or Date) within maxClockSkew of now.
func checkRequestDate(r *http.Request, now time.Time) error {
	raw := r.Header.Get("x-ms-date")
	if raw == "" {
		raw = r.Header.Get("Date")
	}
	if raw == "" {
		return authError("AuthenticationFailed", "The request has no x-ms-date or Date header; Shared Key requests must carry their date.")
	}
	t, err := http.ParseTime(raw)
	if err != nil {
		return authError("AuthenticationFailed", "The request date %q is not an RFC 1123 date.", raw)
	}
	switch {
	case t.Before(now.Add(-maxClockSkew)):
		return authError("AuthenticationFailed", "Request date header too old: %q (server time %s); check the client's clock.", raw, now.UTC().Format(http.TimeFormat))
	case t.After(now.Add(maxClockSkew)):
		return authError("AuthenticationFailed", "Request date header too far in the future: %q (server time %s); check the client's clock.", raw, now.UTC().Format(http.TimeFormat))
	}
	return nil
}

// sharedKeyStringToSign builds the Blob service string-to-sign, ordering
// the x-ms-* headers with order.
func sharedKeyStringToSign(r *http.Request, account string, order func(a, b string) int) string {
	h := r.Header
	contentLength := h.Get("Content-Length")
	// Since 2015-02-21 a zero length is signed as an empty string.
	if contentLength == "0" && h.Get("x-ms-version") >= "2015-02-21" {
		contentLength = ""
	}
	date := ""
	if h.Get("x-ms-date") == "" {
		date = h.Get("Date")
	}
	return strings.Join([]string{
		r.Method,
		h.Get("Content-Encoding"),
		h.Get("Content-Language"),
		contentLength,
		h.Get("Content-MD5"),
		h.Get("Content-Type"),
		date,
		h.Get("If-Modified-Since"),
		h.Get("If-Match"),
		h.Get("If-None-Match"),
		h.Get("If-Unmodified-Since"),
		h.Get("Range"),
		canonicalizedHeaders(h, order) + canonicalizedResource(r, account),
	}, "\n")
}

// canonicalizedHeaders is the x-ms-* headers, lowercased and sorted, one
// "name:value" line each (values of repeated headers joined by commas).
func canonicalizedHeaders(h http.Header, order func(a, b string) int) string {
	values := map[string][]string{}
	for k, v := range h {
		name := strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(name, "x-ms-") {
			values[name] = append(values[name], v...)
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.SortFunc(names, order)
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values[name], ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// canonicalizedResource is "/<account><path as sent>" followed by one
// "\n<name>:<values>" line per query parameter, names lowercased and
// sorted, values decoded, sorted and joined by commas.
func canonicalizedResource(r *http.Request, account string) string {
	var b strings.Builder
	b.WriteString("/")
	b.WriteString(account)
	path := escapedRequestPath(r)
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// Undecodable queries cannot have been signed by an SDK; sign what
		// we can so the mismatch is reported as a signature failure.
		params = r.URL.Query()
	}
	merged := map[string][]string{}
	for k, v := range params {
		merged[strings.ToLower(k)] = append(merged[strings.ToLower(k)], v...)
	}
	names := make([]string, 0, len(merged))
	for k := range merged {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := merged[name]
		slices.Sort(vals)
		b.WriteString("\n" + name + ":" + strings.Join(vals, ","))
	}
	return b.String()
}

// escapedRequestPath is the request path exactly as the client sent it,
// which is what clients sign ("encoded exactly as it is in the URI").
func escapedRequestPath(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	if !strings.HasPrefix(uri, "/") { // absolute-form request target
		if u, err := url.Parse(uri); err == nil {
			return u.EscapedPath()
		}
	}
	return uri
}

func hmacSHA256(key []byte, message string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(message))
	return m.Sum(nil)
}
