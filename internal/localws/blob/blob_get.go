package blob

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// maxRangeMD5Bytes is the largest range Azure hashes on request
// (x-ms-range-get-content-md5).
const maxRangeMD5Bytes = 4 << 20

// openBlob opens a blob for reading and pairs the open file with its
// properties under the blob's read lock, so a concurrent overwrite cannot
// give us the new file with the old sidecar.
func (h *Handler) openBlob(rt route) (*os.File, blobRecord, error) {
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return nil, blobRecord{}, err
	}
	p, err := h.blobPath(rt.account, rt.container, rt.blob)
	if err != nil {
		return nil, blobRecord{}, err
	}
	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.RLock()
	defer lock.RUnlock()
	f, err := os.Open(p)
	if err != nil {
		if os.IsNotExist(err) || isNotDir(err) {
			return nil, blobRecord{}, newError("BlobNotFound", "")
		}
		return nil, blobRecord{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, blobRecord{}, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, blobRecord{}, newError("BlobNotFound", "")
	}
	return f, h.effectiveRecord(rt.account, rt.container, rt.blob, fi), nil
}

// getBlob streams a blob or one range of it (Get Blob).
func (h *Handler) getBlob(c *call) error {
	hdr := c.r.Header
	if err := refuseLease(hdr); err != nil {
		return err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return err
	}
	f, rec, err := h.openBlob(c.route)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := conds.checkRead(rec.ETag, rec.LastModified); err != nil {
		return err
	}
	rangeHeader, rangeValue := "x-ms-range", hdr.Get("x-ms-range")
	if rangeValue == "" {
		rangeHeader, rangeValue = "Range", hdr.Get("Range")
	}
	out := c.w.Header()
	writeBlobHeaders(out, rec)
	if rangeValue == "" {
		out.Set("Content-Length", strconv.FormatInt(rec.Size, 10))
		if rec.ContentMD5 != nil {
			out.Set("Content-MD5", base64.StdEncoding.EncodeToString(rec.ContentMD5))
		}
		c.w.WriteHeader(http.StatusOK)
		h.send(c, f, 0, rec.Size)
		return nil
	}
	start, end, err := parseRange(rangeHeader, rangeValue, rec.Size)
	if err != nil {
		return err
	}
	n := end - start + 1
	if strings.EqualFold(hdr.Get("x-ms-range-get-content-md5"), "true") {
		if n > maxRangeMD5Bytes {
			return newError("OutOfRangeInput", "x-ms-range-get-content-md5 needs a range of at most %d bytes; this one has %d.", maxRangeMD5Bytes, n)
		}
		sum := md5.New()
		if _, err := io.Copy(sum, io.NewSectionReader(f, start, n)); err != nil {
			return err
		}
		out.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum.Sum(nil)))
	}
	if rec.ContentMD5 != nil {
		out.Set("x-ms-blob-content-md5", base64.StdEncoding.EncodeToString(rec.ContentMD5))
	}
	out.Set("Content-Length", strconv.FormatInt(n, 10))
	out.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, rec.Size))
	c.w.WriteHeader(http.StatusPartialContent)
	h.send(c, f, start, n)
	return nil
}

// send copies n bytes from offset off. Headers are out, so a failure can
// only be logged; a client that went away is not a failure. A limited
// *os.File (not a SectionReader) lets net/http use sendfile.
func (h *Handler) send(c *call, f *os.File, off, n int64) {
	_, err := f.Seek(off, io.SeekStart)
	if err == nil {
		_, err = io.Copy(c.w, io.LimitReader(f, n))
	}
	if err != nil {
		h.log.Debug("blob: response body not fully sent", "path", c.r.URL.Path, "request_id", c.id, "err", err)
	}
}

// parseRange reads "bytes=<start>-[<end>]", the single-range forms the Blob
// service accepts, and clips the end to the blob.
func parseRange(header, value string, size int64) (int64, int64, error) {
	bad := newError("InvalidHeaderValue", "%s %q is not of the form bytes=<start>-[<end>].", header, value)
	spec, ok := strings.CutPrefix(value, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	startRaw, endRaw, ok := strings.Cut(spec, "-")
	if !ok || startRaw == "" || strings.Contains(endRaw, ",") {
		return 0, 0, bad
	}
	start, err := strconv.ParseInt(startRaw, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, bad
	}
	end := size - 1
	if endRaw != "" {
		if end, err = strconv.ParseInt(endRaw, 10, 64); err != nil || end < start {
			return 0, 0, bad
		}
		end = min(end, size-1)
	}
	if start >= size {
		e := newError("InvalidRange", "%s starts at byte %d and the blob has %d bytes.", header, start, size)
		e.header = http.Header{"Content-Range": {fmt.Sprintf("bytes */%d", size)}}
		return 0, 0, e
	}
	return start, end, nil
}

// getBlobProperties answers HEAD (Get Blob Properties) and GET/HEAD
// comp=metadata (Get Blob Metadata) without a body.
func (h *Handler) getBlobProperties(c *call) error {
	hdr := c.r.Header
	if err := refuseLease(hdr); err != nil {
		return err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return err
	}
	f, rec, err := h.openBlob(c.route)
	if err != nil {
		return err
	}
	f.Close()
	if err := conds.checkRead(rec.ETag, rec.LastModified); err != nil {
		return err
	}
	out := c.w.Header()
	if c.route.op == opGetBlobMetadata {
		out.Set("ETag", rec.ETag)
		out.Set("Last-Modified", httpDate(rec.LastModified))
		writeMetadataHeaders(out, rec.Metadata)
		out.Set("Content-Length", "0")
		c.w.WriteHeader(http.StatusOK)
		return nil
	}
	writeBlobHeaders(out, rec)
	out.Set("Content-Length", strconv.FormatInt(rec.Size, 10))
	if rec.ContentMD5 != nil {
		out.Set("Content-MD5", base64.StdEncoding.EncodeToString(rec.ContentMD5))
	}
	out.Set("x-ms-access-tier", "Hot")
	out.Set("x-ms-access-tier-inferred", "true")
	c.w.WriteHeader(http.StatusOK)
	return nil
}
