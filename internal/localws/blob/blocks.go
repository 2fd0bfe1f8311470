package blob

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Block limits of Azure block blobs.
const (
	maxBlockIDBytes = 64
	maxBlocks       = 50000
	// maxBlockListBytes bounds a Put Block List body: 50,000 ids of up to
	// 88 base64 characters with their tags stay well below it.
	maxBlockListBytes = 8 << 20
)

// stageDir holds a blob's uncommitted blocks, one file per block named by
// the hex of its decoded id.
func (h *Handler) stageDir(account, container, name string) string {
	return filepath.Join(h.stageRoot(), account, container, nameKey(name))
}

func (h *Handler) discardStaged(account, container, name string) {
	_ = os.RemoveAll(h.stageDir(account, container, name))
}

// decodeBlockID checks a base64 block id and returns the file name of its
// staged block.
func decodeBlockID(id string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) == 0 {
		return "", fmt.Errorf("block id %q is not base64", id)
	}
	if len(raw) > maxBlockIDBytes {
		return "", fmt.Errorf("block id %q decodes to %d bytes; at most %d are allowed", id, len(raw), maxBlockIDBytes)
	}
	return hex.EncodeToString(raw), nil
}

// putBlock stages one block of a blob (Put Block).
func (h *Handler) putBlock(c *call) error {
	rt, hdr := c.route, c.r.Header
	id := c.r.URL.Query().Get("blockid")
	if id == "" {
		return newError("MissingRequiredQueryParameter", "Put Block needs the query parameter blockid.")
	}
	file, err := decodeBlockID(id)
	if err != nil {
		return newError("InvalidQueryParameterValue", "Query parameter blockid: %v.", err)
	}
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	if err := refuseLease(hdr); err != nil {
		return err
	}
	if err := h.checkWriteTarget(c, conditions{}, true); err != nil {
		return err
	}
	body, err := h.receiveBody(c.r)
	if err != nil {
		return err
	}
	defer body.discard()
	if err := verifyMD5(hdr, "Content-MD5", body.md5); err != nil {
		return err
	}
	dir := h.stageDir(rt.account, rt.container, rt.blob)
	// Retry once: a concurrent commit of the same blob may remove the
	// staging folder between MkdirAll and Rename.
	for attempt := 0; ; attempt++ {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		err := os.Rename(body.path, filepath.Join(dir, file))
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt > 0 {
			return err
		}
	}
	out := c.w.Header()
	out.Set("Content-MD5", base64.StdEncoding.EncodeToString(body.md5))
	out.Set("x-ms-request-server-encrypted", "true")
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// blockRef is one entry of a Put Block List body.
type blockRef struct {
	kind string // Latest, Committed or Uncommitted
	id   string
}

// parseBlockList reads <BlockList><Latest|Committed|Uncommitted>id</...>.
func parseBlockList(r io.Reader) ([]blockRef, error) {
	dec := xml.NewDecoder(r)
	var refs []blockRef
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, newError("InvalidXmlDocument", "The block list is not valid XML: %v.", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local == "BlockList":
			case depth == 2 && (t.Name.Local == "Latest" || t.Name.Local == "Committed" || t.Name.Local == "Uncommitted"):
				var id string
				if err := dec.DecodeElement(&id, &t); err != nil {
					return nil, newError("InvalidXmlDocument", "The block list is not valid XML: %v.", err)
				}
				depth--
				refs = append(refs, blockRef{kind: t.Name.Local, id: strings.TrimSpace(id)})
			default:
				return nil, newError("InvalidXmlDocument", "Unexpected element <%s> in the block list: use <BlockList> with <Latest>, <Committed> or <Uncommitted> children.", t.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
		if len(refs) > maxBlocks {
			return nil, newError("InvalidBlockList", "The block list names more than %d blocks.", maxBlocks)
		}
	}
	return refs, nil
}

// putBlockList commits staged blocks, in the listed order, as the blob's
// new content (Put Block List). The file is assembled in the state folder
// and renamed into place.
func (h *Handler) putBlockList(c *call) error {
	rt, hdr := c.route, c.r.Header
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	if err := refuseLease(hdr); err != nil {
		return err
	}
	md, err := metadataFromHeaders(hdr)
	if err != nil {
		return err
	}
	blobMD5, err := decodeMD5Header(hdr, "x-ms-blob-content-md5")
	if err != nil {
		return err
	}
	conds, err := parseConditions(hdr)
	if err != nil {
		return err
	}
	if c.r.ContentLength > maxBlockListBytes {
		return newError("RequestBodyTooLarge", "A block list body may have at most %d bytes.", maxBlockListBytes)
	}
	refs, err := parseBlockList(io.LimitReader(c.r.Body, maxBlockListBytes))
	if err != nil {
		return err
	}
	if err := h.checkWriteTarget(c, conds, true); err != nil {
		return err
	}
	tmp, err := h.assemble(rt, refs)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)

	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.Lock()
	defer lock.Unlock()
	if err := h.checkWriteTarget(c, conds, true); err != nil {
		return err
	}
	rec := h.newRecord(h.now())
	applyContentHeaders(&rec, hdr, false)
	// Like Azure, a committed block list gets the MD5 the client states
	// (not verified: the blocks were) and none otherwise.
	rec.ContentMD5, rec.Metadata = blobMD5, md
	if rec, err = h.commitFile(rt.account, rt.container, rt.blob, tmp, rec); err != nil {
		return err
	}
	h.discardStaged(rt.account, rt.container, rt.blob)

	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	out.Set("x-ms-request-server-encrypted", "true")
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// assemble concatenates the listed staged blocks into a temporary file.
func (h *Handler) assemble(rt route, refs []blockRef) (string, error) {
	dir := h.stageDir(rt.account, rt.container, rt.blob)
	files := make([]string, len(refs))
	for i, ref := range refs {
		if ref.kind == "Committed" {
			return "", newError("InvalidBlockList", "Block %q is listed as Committed: the local workspace keeps no committed blocks after a commit, so stage every block again and list it as Latest.", ref.id)
		}
		name, err := decodeBlockID(ref.id)
		if err != nil {
			return "", newError("InvalidBlockList", "%v.", err)
		}
		files[i] = filepath.Join(dir, name)
	}
	f, err := os.CreateTemp(h.tmpDir(), "commit-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	for i, p := range files {
		src, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return fail(newError("InvalidBlockList", "Block %q was not staged for blob %q (or was discarded by an earlier commit).", refs[i].id, rt.blob))
		}
		if err != nil {
			return fail(err)
		}
		_, err = io.Copy(f, src)
		src.Close()
		if err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}
