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
	// Only the checksums the request states are computed (and verified).
	body, err := h.receiveBody(c.r, false)
	if err != nil {
		return err
	}
	defer body.discard()
	// The block's staging time is the handler's clock, so retention
	// (collectStaged) follows Options.Now.
	now := h.now()
	_ = os.Chtimes(body.path, now, now)
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
	h.maybeCollectStaged()
	if err := h.durable(c); err != nil {
		return err
	}
	out := c.w.Header()
	if body.md5 != nil {
		out.Set("Content-MD5", base64.StdEncoding.EncodeToString(body.md5))
	}
	if body.crc64 != nil {
		out.Set("x-ms-content-crc64", base64.StdEncoding.EncodeToString(body.crc64))
	}
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

// putBlockList commits a block list as the blob's new content (Put Block
// List), as Azure documents it: each entry names an uncommitted block
// (Uncommitted), a block of the blob's current committed list (Committed),
// or the uncommitted block if there is one, else the committed one
// (Latest). So the retry of a commit whose answer was lost succeeds: its
// blocks are now committed, and Latest finds them there. The new content
// is assembled in the state folder and renamed into place; the blob's
// other uncommitted blocks are discarded.
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

	// The lock is held from resolving the list to the rename: committed
	// blocks are ranges of the current file, which must not change under
	// the assembly.
	lock := h.locks.forBlob(rt.account, rt.container, rt.blob)
	lock.Lock()
	defer lock.Unlock()
	if err := h.checkWriteTarget(c, conds, true); err != nil {
		return err
	}
	st, exists, err := h.statBlob(rt.account, rt.container, rt.blob)
	if err != nil {
		return err
	}
	var committed []committedBlock
	if exists {
		committed = st.rec.Blocks
	}
	parts, err := h.resolveBlocks(rt, refs, committed)
	if err != nil {
		return err
	}
	tmp, err := h.assemble(st.path, parts)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	rec := h.newRecord(h.now())
	applyContentHeaders(&rec, hdr, false)
	// Like Azure, a committed block list gets the MD5 the client states
	// (not verified: the blocks were) and none otherwise.
	rec.ContentMD5, rec.Metadata = blobMD5, md
	rec.Blocks = make([]committedBlock, len(parts))
	for i, p := range parts {
		rec.Blocks[i] = committedBlock{Key: p.key, Size: p.size}
	}
	if rec, err = h.commitFile(rt.account, rt.container, rt.blob, tmp, rec); err != nil {
		return err
	}
	h.discardStaged(rt.account, rt.container, rt.blob)
	if err := h.durable(c); err != nil {
		return err
	}

	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	out.Set("x-ms-request-server-encrypted", "true")
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// blockPart is where one block of a new block list comes from: a staged
// file, or (staged == "") the range at offset of the current blob.
type blockPart struct {
	key    string
	staged string
	offset int64
	size   int64
}

// resolveBlocks finds every listed block among the staged ones and the
// committed list, by the rule of its kind.
func (h *Handler) resolveBlocks(rt route, refs []blockRef, committed []committedBlock) ([]blockPart, error) {
	type span struct{ offset, size int64 }
	spans := make(map[string]span, len(committed))
	var off int64
	for _, b := range committed {
		if _, dup := spans[b.Key]; !dup {
			spans[b.Key] = span{off, b.Size}
		}
		off += b.Size
	}
	dir := h.stageDir(rt.account, rt.container, rt.blob)
	parts := make([]blockPart, len(refs))
	for i, ref := range refs {
		key, err := decodeBlockID(ref.id)
		if err != nil {
			return nil, newError("InvalidBlockList", "%v.", err)
		}
		var staged fs.FileInfo
		if ref.kind != "Committed" {
			staged, err = os.Stat(filepath.Join(dir, key))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		sp, isCommitted := spans[key]
		switch {
		case staged != nil:
			parts[i] = blockPart{key: key, staged: filepath.Join(dir, key), size: staged.Size()}
		case ref.kind != "Uncommitted" && isCommitted:
			parts[i] = blockPart{key: key, offset: sp.offset, size: sp.size}
		case ref.kind == "Committed":
			return nil, newError("InvalidBlockList", "Block %q is listed as Committed but is not in the committed block list of blob %q.", ref.id, rt.blob)
		default:
			return nil, newError("InvalidBlockList", "Block %q was not staged for blob %q (or was discarded by an earlier commit); stage it with Put Block first.", ref.id, rt.blob)
		}
	}
	return parts, nil
}

// assemble concatenates the parts into a temporary file; committed parts
// are read from current, the blob's file.
func (h *Handler) assemble(current string, parts []blockPart) (string, error) {
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
	var cur *os.File
	defer func() {
		if cur != nil {
			cur.Close()
		}
	}()
	for _, p := range parts {
		var src *os.File
		if p.staged != "" {
			if src, err = os.Open(p.staged); err != nil {
				return fail(err)
			}
		} else {
			if cur == nil {
				if cur, err = os.Open(current); err != nil {
					return fail(err)
				}
			}
			if _, err := cur.Seek(p.offset, io.SeekStart); err != nil {
				return fail(err)
			}
			src = cur
		}
		// ReadFrom a LimitedReader of a file: copy_file_range on Linux,
		// so the bytes never pass through user space.
		n, err := f.ReadFrom(&io.LimitedReader{R: src, N: p.size})
		if src != cur {
			src.Close()
		}
		if err == nil && n != p.size {
			err = fmt.Errorf("block %s: read %d of %d bytes", p.key, n, p.size)
		}
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
