package blob

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"

	"github.com/mlbatch/ml/internal/blobcrc"
)

// received is a request body stored in a temporary file.
type received struct {
	path string
	size int64
	// md5 and crc64 are the body's checksums, each computed only when the
	// operation needs it or the request states it (nil otherwise).
	md5   []byte
	crc64 []byte
}

// discard removes the temporary file unless it was moved into place.
func (b received) discard() { _ = os.Remove(b.path) }

// receiveBody streams an upload body to a temporary file under the state
// folder. It requires Content-Length and refuses bodies above MaxBodyBytes
// before reading any of it.
//
// Checksums cost more than the write itself, so each is computed only
// when needed: the MD5 when wantMD5 (Put Blob stores it) or the request
// carries Content-MD5, the CRC-64 when it carries x-ms-content-crc64. Any
// stated checksum is verified here, before the body can be used (400
// Md5Mismatch or Crc64Mismatch, as Azure answers).
func (h *Handler) receiveBody(r *http.Request, wantMD5 bool) (received, error) {
	if r.ContentLength < 0 {
		return received{}, newError("MissingContentLengthHeader", "Uploads must state their Content-Length (no chunked transfer encoding).")
	}
	if r.ContentLength > h.maxBody {
		return received{}, h.tooLarge()
	}
	wantCRC, err := decodeCRC64Header(r.Header)
	if err != nil {
		return received{}, err
	}
	statedMD5, err := decodeMD5Header(r.Header, "Content-MD5")
	if err != nil {
		return received{}, err
	}
	f, err := os.CreateTemp(h.tmpDir(), "upload-*")
	if err != nil {
		return received{}, err
	}
	b := received{path: f.Name()}
	var sums []io.Writer
	var md5h hash.Hash
	var crch hash.Hash64
	if wantMD5 || statedMD5 != nil {
		md5h = md5.New()
		sums = append(sums, md5h)
	}
	if wantCRC != nil {
		crch = blobcrc.New()
		sums = append(sums, crch)
	}
	var dst io.Writer = f
	if len(sums) > 0 {
		dst = io.MultiWriter(append([]io.Writer{f}, sums...)...)
	}
	// io.Copy into the *os.File itself lets the kernel splice the socket
	// into the file when no checksum is needed.
	n, err := io.Copy(dst, io.LimitReader(r.Body, r.ContentLength))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != r.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.discard()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return received{}, h.tooLarge()
		}
		return received{}, fmt.Errorf("receive body: %w", err)
	}
	b.size = n
	if md5h != nil {
		b.md5 = md5h.Sum(nil)
	}
	if crch != nil {
		b.crc64 = blobcrc.Bytes(crch.Sum64())
	}
	if statedMD5 != nil && !bytes.Equal(statedMD5, b.md5) {
		b.discard()
		return received{}, newError("Md5Mismatch", "The body's MD5 does not match header Content-MD5; the upload was corrupted or the header is wrong.")
	}
	if wantCRC != nil && !bytes.Equal(wantCRC, b.crc64) {
		b.discard()
		return received{}, newError("Crc64Mismatch", "The body's CRC-64 does not match header x-ms-content-crc64; the upload was corrupted (or the file changed while it was sent) or the header is wrong.")
	}
	return b, nil
}

// decodeCRC64Header reads x-ms-content-crc64: the base64 of 8 bytes.
func decodeCRC64Header(h http.Header) ([]byte, error) {
	v := h.Get("x-ms-content-crc64")
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != 8 {
		return nil, newError("InvalidHeaderValue", "Header x-ms-content-crc64 must hold the base64 of an 8-byte CRC-64.")
	}
	return sum, nil
}

func (h *Handler) tooLarge() error {
	return newError("RequestBodyTooLarge", "This server accepts request bodies of at most %d bytes (Options.MaxBodyBytes); upload larger blobs in smaller blocks (azblob: UploadFile/UploadStream with a smaller BlockSize).", h.maxBody)
}

// verifyMD5 compares the hash of what arrived with an MD5 header, if sent.
func verifyMD5(hdr http.Header, name string, got []byte) error {
	want, err := decodeMD5Header(hdr, name)
	if err != nil || want == nil {
		return err
	}
	if !bytes.Equal(want, got) {
		return newError("Md5Mismatch", "The body's MD5 does not match header %s; the upload was corrupted or the header is wrong.", name)
	}
	return nil
}
