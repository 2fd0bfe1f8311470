package blob

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"strings"
)

// PutOptions describe a blob written with Put or recorded with Record. A nil
// *PutOptions or the zero value means content type application/octet-stream
// and no metadata.
type PutOptions struct {
	// ContentType is the blob's Content-Type; empty means
	// application/octet-stream.
	ContentType string
	// Metadata replaces the blob's metadata. Names must be C# identifiers
	// (letters, digits, '_'); they are stored lowercase.
	Metadata map[string]string
}

func (o *PutOptions) apply(rec *blobRecord) error {
	if o == nil {
		return nil
	}
	if o.ContentType != "" {
		rec.ContentType = o.ContentType
	}
	if len(o.Metadata) > 0 {
		rec.Metadata = make(map[string]string, len(o.Metadata))
		for k, v := range o.Metadata {
			if !validMetadataName(k) || k == "" {
				return fmt.Errorf("blob: PutOptions.Metadata name %q: use letters, digits and '_', not starting with a digit", k)
			}
			rec.Metadata[strings.ToLower(k)] = v
		}
	}
	return nil
}

// Put stores r as the content of a blob in an existing container, replacing
// any blob of that name, exactly as a Put Blob request would: streamed to a
// temporary file, hashed, renamed into place. It stops early when ctx ends.
func (h *Handler) Put(ctx context.Context, account, container, name string, r io.Reader, opts *PutOptions) error {
	if _, err := h.fileOf(account, container, name); err != nil {
		return fmt.Errorf("blob: put %s/%s: %w", container, name, err)
	}
	if err := h.requireContainer(account, container); err != nil {
		return fmt.Errorf("blob: put %s/%s: container %q does not exist (EnsureContainer creates it)", container, name, container)
	}
	rec := h.newRecord(h.now())
	if err := opts.apply(&rec); err != nil {
		return err
	}
	f, err := os.CreateTemp(h.tmpDir(), "put-*")
	if err != nil {
		return fmt.Errorf("blob: put %s/%s: %w", container, name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	sum := md5.New()
	_, err = io.Copy(io.MultiWriter(f, sum), ctxReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob: put %s/%s: %w", container, name, err)
	}
	rec.ContentMD5 = sum.Sum(nil)
	lock := h.locks.forBlob(account, container, name)
	lock.Lock()
	defer lock.Unlock()
	if _, err := h.commitFile(account, container, name, tmp, rec); err != nil {
		return fmt.Errorf("blob: put %s/%s: %w", container, name, err)
	}
	h.discardStaged(account, container, name)
	return nil
}

// Record describes a file that was written directly at LocalPath(account,
// container, name), typically a job output: it hashes the file for its
// Content-MD5 and stores opts as its properties. Files written without
// Record are still listed and served, with no Content-MD5 and the default
// content type; Record is needed only for those properties.
func (h *Handler) Record(ctx context.Context, account, container, name string, opts *PutOptions) error {
	p, err := h.fileOf(account, container, name)
	if err != nil {
		return fmt.Errorf("blob: record %s/%s: %w", container, name, err)
	}
	rec := h.newRecord(h.now())
	if err := opts.apply(&rec); err != nil {
		return err
	}
	lock := h.locks.forBlob(account, container, name)
	lock.Lock()
	defer lock.Unlock()
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("blob: record %s/%s: %w", container, name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("blob: record %s/%s: %w", container, name, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("blob: record %s/%s: %s is not a regular file", container, name, p)
	}
	sum := md5.New()
	if _, err := io.Copy(sum, ctxReader{ctx, f}); err != nil {
		return fmt.Errorf("blob: record %s/%s: %w", container, name, err)
	}
	// The file may have changed while we hashed it; then the hash is of
	// neither version, so refuse rather than record it.
	after, err := os.Stat(p)
	if err != nil || after.Size() != fi.Size() || !after.ModTime().Equal(fi.ModTime()) {
		return fmt.Errorf("blob: record %s/%s: the file changed while it was being hashed; call Record once it is complete", container, name)
	}
	rec.Name, rec.Size, rec.ModTime = name, fi.Size(), fi.ModTime()
	rec.ContentMD5 = sum.Sum(nil)
	if err := h.writeJSON(h.blobRecordPath(account, container, name), rec); err != nil {
		return fmt.Errorf("blob: record %s/%s: %w", container, name, err)
	}
	return nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
