package blob

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"time"
)

const metaHeaderPrefix = "x-ms-meta-"

// metadataFromHeaders collects x-ms-meta-* headers. Names are stored
// lowercase: HTTP header names are case-insensitive and Go servers do not
// keep the client's spelling.
func metadataFromHeaders(h http.Header) (map[string]string, error) {
	var md map[string]string
	for k, v := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, metaHeaderPrefix) {
			continue
		}
		name := lk[len(metaHeaderPrefix):]
		if name == "" {
			return nil, newError("EmptyMetadataKey", "")
		}
		if !validMetadataName(name) {
			return nil, newError("InvalidMetadata", "Metadata name %q must be a valid C# identifier: letters, digits and '_', not starting with a digit.", name)
		}
		if md == nil {
			md = map[string]string{}
		}
		md[name] = strings.Join(v, ",")
	}
	return md, nil
}

func validMetadataName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// applyContentHeaders sets the blob's HTTP properties from a request.
// x-ms-blob-* headers always apply; withStandard lets Put Blob's own
// Content-Type, Content-Encoding, ... apply when those are absent.
// x-ms-blob-content-md5 is handled by each operation.
func applyContentHeaders(rec *blobRecord, h http.Header, withStandard bool) {
	pick := func(msName, stdName string) string {
		if v := h.Get(msName); v != "" || !withStandard {
			return v
		}
		return h.Get(stdName)
	}
	rec.ContentType = pick("x-ms-blob-content-type", "Content-Type")
	if rec.ContentType == "" {
		rec.ContentType = defaultContentType
	}
	rec.ContentEncoding = pick("x-ms-blob-content-encoding", "Content-Encoding")
	rec.ContentLanguage = pick("x-ms-blob-content-language", "Content-Language")
	rec.ContentDisposition = pick("x-ms-blob-content-disposition", "Content-Disposition")
	rec.CacheControl = pick("x-ms-blob-cache-control", "Cache-Control")
}

// decodeMD5Header reads a base64 MD5 header; absent is (nil, nil).
func decodeMD5Header(h http.Header, name string) ([]byte, error) {
	v := h.Get(name)
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != 16 {
		return nil, newError("InvalidMd5", "Header %s must hold the base64 of a 16-byte MD5 hash.", name)
	}
	return sum, nil
}

// writeBlobHeaders sets the response headers that describe a blob.
func writeBlobHeaders(h http.Header, rec blobRecord) {
	h.Set("Last-Modified", httpDate(rec.LastModified))
	h.Set("ETag", rec.ETag)
	h.Set("x-ms-creation-time", httpDate(rec.Created))
	h.Set("Content-Type", rec.ContentType)
	for name, v := range map[string]string{
		"Content-Encoding":    rec.ContentEncoding,
		"Content-Language":    rec.ContentLanguage,
		"Content-Disposition": rec.ContentDisposition,
		"Cache-Control":       rec.CacheControl,
	} {
		if v != "" {
			h.Set(name, v)
		}
	}
	h.Set("x-ms-blob-type", "BlockBlob")
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-lease-status", "unlocked")
	h.Set("x-ms-server-encrypted", "true")
	h.Set("Accept-Ranges", "bytes")
	writeMetadataHeaders(h, rec.Metadata)
}

func writeMetadataHeaders(h http.Header, md map[string]string) {
	names := make([]string, 0, len(md))
	for k := range md {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		h.Set(metaHeaderPrefix+k, md[k])
	}
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// refuseLease answers requests that name a lease: there are none here.
func refuseLease(h http.Header) error {
	if h.Get("x-ms-lease-id") != "" {
		return newError("LeaseNotPresentWithBlobOperation", "The local workspace does not implement leases.")
	}
	return nil
}
