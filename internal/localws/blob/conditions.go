package blob

import (
	"net/http"
	"strings"
	"time"
)

// conditions are the HTTP conditional headers of a request.
type conditions struct {
	ifMatch, ifNoneMatch                 []string // ETags without quotes; "*" as is
	ifModifiedSince, ifUnmodifiedSince   time.Time
	hasModifiedSince, hasUnmodifiedSince bool
}

func parseConditions(h http.Header) (conditions, error) {
	var c conditions
	c.ifMatch = etagList(h.Get("If-Match"))
	c.ifNoneMatch = etagList(h.Get("If-None-Match"))
	for _, d := range []struct {
		name string
		t    *time.Time
		has  *bool
	}{{"If-Modified-Since", &c.ifModifiedSince, &c.hasModifiedSince}, {"If-Unmodified-Since", &c.ifUnmodifiedSince, &c.hasUnmodifiedSince}} {
		raw := h.Get(d.name)
		if raw == "" {
			continue
		}
		t, err := http.ParseTime(raw)
		if err != nil {
			return c, newError("InvalidHeaderValue", "%s %q is not an RFC 1123 date such as %q.", d.name, raw, "Mon, 02 Jan 2006 15:04:05 GMT")
		}
		*d.t, *d.has = t, true
	}
	return c, nil
}

// etagList splits a conditional header into ETags, dropping quotes (Azure
// accepts them with or without since 2011-08-18).
func etagList(raw string) []string {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(raw, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(part), "\""))
	}
	return out
}

func matchesAny(list []string, etag string) bool {
	etag = strings.Trim(etag, "\"")
	for _, e := range list {
		if e == "*" || e == etag {
			return true
		}
	}
	return false
}

// modifiedAfter compares at the one-second resolution of HTTP dates.
func modifiedAfter(lastModified, t time.Time) bool {
	return lastModified.Truncate(time.Second).After(t)
}

// checkRead applies the conditions to reading an existing resource: a
// failed If-None-Match or If-Modified-Since is 304, a failed If-Match or
// If-Unmodified-Since is 412.
func (c conditions) checkRead(etag string, lastModified time.Time) error {
	switch {
	case c.ifMatch != nil && !matchesAny(c.ifMatch, etag):
		return newError("ConditionNotMet", "")
	case c.hasUnmodifiedSince && modifiedAfter(lastModified, c.ifUnmodifiedSince):
		return newError("ConditionNotMet", "")
	case c.ifNoneMatch != nil && matchesAny(c.ifNoneMatch, etag):
		return newError("NotModified", "")
	case c.hasModifiedSince && !modifiedAfter(lastModified, c.ifModifiedSince):
		return newError("NotModified", "")
	}
	return nil
}

// checkWrite applies the conditions to writing a blob that may not exist.
// For an operation that creates the blob (create), "If-None-Match: *" on an
// existing blob is 409 BlobAlreadyExists, as Azure answers azblob's and
// azure-storage-blob's "do not overwrite" uploads; every other failed
// condition is 412.
func (c conditions) checkWrite(exists bool, etag string, lastModified time.Time, create bool) error {
	if !exists {
		if c.ifMatch != nil {
			return newError("ConditionNotMet", "If-Match was given and the blob does not exist.")
		}
		return nil
	}
	switch {
	case create && len(c.ifNoneMatch) == 1 && c.ifNoneMatch[0] == "*":
		return newError("BlobAlreadyExists", "")
	case c.ifMatch != nil && !matchesAny(c.ifMatch, etag),
		c.ifNoneMatch != nil && matchesAny(c.ifNoneMatch, etag),
		c.hasModifiedSince && !modifiedAfter(lastModified, c.ifModifiedSince),
		c.hasUnmodifiedSince && modifiedAfter(lastModified, c.ifUnmodifiedSince):
		return newError("ConditionNotMet", "")
	}
	return nil
}
