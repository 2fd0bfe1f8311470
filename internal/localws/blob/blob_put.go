package blob

import (
	"encoding/base64"
	"net/http"
)

// putBlob stores a whole block blob from the request body (Put Blob).
func (h *Handler) putBlob(c *call) error {
	rt, hdr := c.route, c.r.Header
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	switch bt := hdr.Get("x-ms-blob-type"); bt {
	case "BlockBlob":
	case "":
		return newError("MissingRequiredHeader", "Put Blob needs x-ms-blob-type: BlockBlob.")
	default:
		return newError("InvalidBlobType", "x-ms-blob-type %q is not supported: the local workspace stores block blobs only.", bt)
	}
	if err := refuseLease(hdr); err != nil {
		return err
	}
	md, err := metadataFromHeaders(hdr)
	if err != nil {
		return err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return err
	}
	// Check before receiving a possibly large body, and again under the
	// lock, where it counts.
	if err := h.checkWriteTarget(c, conds, true); err != nil {
		return err
	}
	// Put Blob stores the content's MD5, as Azure does, so it is always
	// computed; x-ms-blob-content-md5 is verified against it.
	body, err := h.receiveBody(c.r, true)
	if err != nil {
		return err
	}
	defer body.discard()
	if err := verifyMD5(hdr, "x-ms-blob-content-md5", body.md5); err != nil {
		return err
	}

	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.Lock()
	defer lock.Unlock()
	if err := h.checkWriteTarget(c, conds, true); err != nil {
		return err
	}
	rec := h.newRecord(h.now())
	applyContentHeaders(&rec, hdr, true)
	rec.ContentMD5, rec.Metadata = body.md5, md
	if rec, err = h.commitFile(rt.account, rt.container, rt.blob, body.path, rec); err != nil {
		return err
	}
	// A new blob starts with no uncommitted blocks, as in Azure.
	h.discardStaged(rt.account, rt.container, rt.blob)
	if err := h.durable(c); err != nil {
		return err
	}

	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	out.Set("Content-MD5", base64.StdEncoding.EncodeToString(body.md5))
	if body.crc64 != nil {
		out.Set("x-ms-content-crc64", base64.StdEncoding.EncodeToString(body.crc64))
	}
	out.Set("x-ms-request-server-encrypted", "true")
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// checkWriteTarget applies the conditional headers and the SAS
// create-only rule to the blob a write targets.
func (h *Handler) checkWriteTarget(c *call, conds conditions, create bool) error {
	rt := c.route
	st, exists, err := h.statBlob(rt.account, rt.container, rt.blob)
	if err != nil {
		return err
	}
	if err := conds.checkWrite(exists, st.rec.ETag, st.rec.LastModified, create); err != nil {
		return err
	}
	if exists && c.grant.createOnly {
		return newError("AuthorizationPermissionMismatch", "The SAS grants create (c) but not write (w), so it cannot overwrite the existing blob %q.", rt.blob)
	}
	return nil
}
