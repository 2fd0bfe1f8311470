package blob

import (
	"net/http"
)

// updateRecord changes the properties of an existing blob under its write
// lock: conditions first, then change, then a new ETag and Last-Modified.
func (h *Handler) updateRecord(c *call, change func(*blobRecord) error) (blobRecord, error) {
	rt, hdr := c.route, c.r.Header
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return blobRecord{}, err
	}
	if err := refuseLease(hdr); err != nil {
		return blobRecord{}, err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return blobRecord{}, err
	}
	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.Lock()
	defer lock.Unlock()
	st, exists, err := h.statBlob(rt.account, rt.container, rt.blob)
	if err != nil {
		return blobRecord{}, err
	}
	if !exists {
		return blobRecord{}, newError("BlobNotFound", "")
	}
	if err := conds.checkWrite(true, st.rec.ETag, st.rec.LastModified, false); err != nil {
		return blobRecord{}, err
	}
	rec := st.rec
	if err := change(&rec); err != nil {
		return blobRecord{}, err
	}
	now := h.now()
	rec.ETag, rec.LastModified = h.etags.next(now), now
	// Size and ModTime stay those of the file, which did not change.
	if err := h.writeJSON(h.blobRecordPath(rt.account, rt.container, rt.blob), rec); err != nil {
		return blobRecord{}, err
	}
	return rec, nil
}

// setBlobMetadata replaces a blob's metadata (Set Blob Metadata).
func (h *Handler) setBlobMetadata(c *call) error {
	md, err := metadataFromHeaders(c.r.Header)
	if err != nil {
		return err
	}
	rec, err := h.updateRecord(c, func(rec *blobRecord) error {
		rec.Metadata = md
		return nil
	})
	if err != nil {
		return err
	}
	return h.writeUpdated(c, rec)
}

// setBlobHTTPHeaders replaces a blob's HTTP properties (Set Blob
// Properties); like Azure, a property not sent is cleared.
func (h *Handler) setBlobHTTPHeaders(c *call) error {
	hdr := c.r.Header
	blobMD5, err := decodeMD5Header(hdr, "x-ms-blob-content-md5")
	if err != nil {
		return err
	}
	rec, err := h.updateRecord(c, func(rec *blobRecord) error {
		applyContentHeaders(rec, hdr, false)
		rec.ContentMD5 = blobMD5
		return nil
	})
	if err != nil {
		return err
	}
	return h.writeUpdated(c, rec)
}

func (h *Handler) writeUpdated(c *call, rec blobRecord) error {
	if err := h.durable(c); err != nil {
		return err
	}
	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	out.Set("x-ms-request-server-encrypted", "true")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteBlob removes a blob (Delete Blob); 202 like Azure.
func (h *Handler) deleteBlob(c *call) error {
	rt, hdr := c.route, c.r.Header
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	if err := refuseLease(hdr); err != nil {
		return err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return err
	}
	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.Lock()
	defer lock.Unlock()
	st, exists, err := h.statBlob(rt.account, rt.container, rt.blob)
	if err != nil {
		return err
	}
	if !exists {
		return newError("BlobNotFound", "")
	}
	if err := conds.checkWrite(true, st.rec.ETag, st.rec.LastModified, false); err != nil {
		return err
	}
	if err := h.removeBlob(rt.account, rt.container, rt.blob, st.path); err != nil {
		return err
	}
	if err := h.durable(c); err != nil {
		return err
	}
	c.w.Header().Set("x-ms-delete-type-permanent", "true")
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}
