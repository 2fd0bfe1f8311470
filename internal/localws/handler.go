package localws

import (
	"bufio"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// buildHandler assembles the middleware chain. Order matters: faults come
// first so a faulted request touches nothing; the access log wraps them so
// injected faults are logged too.
func (s *Server) buildHandler() http.Handler {
	return s.accessLog(s.injectFaults(s.limitBody(http.HandlerFunc(s.route))))
}

// statusRecorder remembers the status for the access log. It forwards
// Hijack (fault "drop") and Flush (streaming responses).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	r.status = -1 // logged as "dropped"
	return hj.Hijack()
}

// accessLog logs method, path and status. The query string is left out on
// purpose: blob SAS signatures travel there.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}

// maxJSONBodyBytes is Azure Resource Manager's request limit (4 MiB). The
// local workspace applies it to every JSON body (ARM and the scoring URI)
// so that what it accepts Azure accepts too; only the blob service takes
// bodies up to MaxBodyBytes.
const maxJSONBodyBytes int64 = 4 << 20

// jsonBodyLimit is the limit of a non-blob body: ARM's, or MaxBodyBytes
// when that is lower.
func (s *Server) jsonBodyLimit() int64 { return min(s.opts.MaxBodyBytes, maxJSONBodyBytes) }

// limitBody enforces the body limits: a declared length above the limit is
// refused before reading; an undeclared one is cut by http.MaxBytesReader,
// and readBody turns that into a 413.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isBlobPath(r.URL.EscapedPath()) {
			// The blob service enforces MaxBodyBytes and answers in its
			// own (XML) error format, which azblob expects.
			next.ServeHTTP(w, r)
			return
		}
		limit := s.jsonBodyLimit()
		if r.ContentLength > limit {
			writeError(w, s.tooLarge())
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// tooLarge is the 413 of a JSON body over jsonBodyLimit; it names the
// flag only when the flag, not ARM's limit, is what was exceeded.
func (s *Server) tooLarge() *apiError {
	limit := s.jsonBodyLimit()
	msg := "request body is larger than the local workspace's limit of " + formatBytes(limit) + " (raise it with --max-body-bytes)"
	if limit == maxJSONBodyBytes {
		msg = "request body is larger than " + formatBytes(limit) + ", the most Azure Resource Manager accepts (and so does the local workspace): shorten the largest values (description, tags, properties, an inline conda file)"
	}
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge, Message: msg}
}

// readBody reads a JSON request body within the size limit and refuses,
// as ARM does, a body that is not declared JSON (415) or is not UTF-8
// (400): encoding/json would otherwise accept invalid UTF-8 silently,
// replacing it, and store text Azure would have refused. An empty body
// needs no Content-Type (listSecrets, cancel).
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, s.tooLarge()
	}
	if err != nil {
		return nil, errBadRequest("read request body: " + err.Error())
	}
	if len(data) == 0 {
		return data, nil
	}
	if ct := r.Header.Get("Content-Type"); !isJSONMediaType(ct) {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt == "" {
			mt = ct
		}
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: codeUnsupportedMediaType,
			Message: "The content media type '" + mt + "' is not supported. Only 'application/json' is supported."}
	}
	if !utf8.Valid(data) {
		return nil, &apiError{Status: http.StatusBadRequest, Code: codeInvalidRequestContent,
			Message: "The request content was invalid and could not be deserialized: it is not valid UTF-8 (at byte " + strconv.Itoa(invalidUTF8At(data)) + "). Send JSON encoded as UTF-8."}
	}
	return data, nil
}

// isJSONMediaType accepts application/json (any parameters, e.g.
// charset=utf-8) and the application/*+json types.
func isJSONMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// invalidUTF8At is the offset of the first byte that is not UTF-8.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), s.token) == 1
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="ml-local", error="invalid_token"`)
	msg := "the request has no bearer token: send Authorization: Bearer <token> with the token from server.json in the local workspace folder"
	if r.Header.Get("Authorization") != "" {
		msg = "the bearer token is not the local workspace's token: use the token from server.json in the local workspace folder (it changes at every `ml local serve` unless fixed)"
	}
	writeError(w, &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: msg})
}

// route dispatches on the first path segments.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()
	if isBlobPath(escaped) {
		// The blob service authenticates with Shared Key or SAS itself.
		s.blob.ServeHTTP(w, r)
		return
	}
	segs, err := splitPath(escaped)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(segs) == 1 && segs[0] == "discovery" {
		s.serveDiscovery(w, r)
		return
	}
	if len(segs) == 2 && segs[0] == "runs" {
		// The job page checks its own view signature (a browser sends no
		// bearer token).
		s.serveStudio(w, r, segs[1])
		return
	}
	if !s.authorized(r) {
		s.unauthorized(w, r)
		return
	}
	switch {
	case len(segs) >= 1 && strings.EqualFold(segs[0], "subscriptions"):
		s.serveARM(w, r, segs)
	case len(segs) >= 1 && segs[0] == "endpoints":
		s.serveScoring(w, r, segs[1:])
	case len(segs) >= 2 && segs[0] == "mferp" && strings.EqualFold(segs[1], "managementfrontend"):
		s.serveMFE(w, r, segs[2:])
	case len(segs) >= 2 && segs[0] == "history" && segs[1] == "v1.0":
		s.serveHistory(w, r, segs[2:])
	case len(segs) == 5 && segs[0] == "registrymanagement" && segs[1] == "v1.0" && segs[2] == "registries" && segs[4] == "discovery":
		// Registry discovery (--registry-name): the local workspace hosts
		// no registry, and says so rather than pretending one is empty.
		writeError(w, errNotFound("the local workspace has no registries: registry assets (azureml://registries/...) are served by Azure only; register the model here with `ml model create --local`"))
	default:
		writeError(w, errNotFound("no route for "+r.Method+" "+r.URL.Path+" on the local workspace (see docs/local-workspace.md for the routes)"))
	}
}

// splitPath splits an escaped URL path into unescaped segments. Empty
// segments (a trailing slash) are dropped; "." and ".." are refused so no
// segment can walk up a folder later on.
func splitPath(escaped string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(strings.Trim(escaped, "/"), "/") {
		if raw == "" {
			continue
		}
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return nil, errBadRequest("malformed path segment " + raw)
		}
		if seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\\x00") {
			return nil, errBadRequest("path segment " + raw + " is not allowed: names must not contain '/', '\\' or be '.' or '..'")
		}
		out = append(out, seg)
	}
	return out, nil
}

// baseURL is the server URL as this request reached it, so every URL in a
// response works from the client's side (127.0.0.1 or localhost alike).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func isBlobPath(escaped string) bool {
	return escaped == "/blob" || strings.HasPrefix(escaped, "/blob/")
}
