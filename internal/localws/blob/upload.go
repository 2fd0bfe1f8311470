package blob

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// received is a request body stored in a temporary file.
type received struct {
	path string
	size int64
	md5  []byte
}

// discard removes the temporary file unless it was moved into place.
func (b received) discard() { _ = os.Remove(b.path) }

// receiveBody streams an upload body to a temporary file under the state
// folder, hashing it on the way. It requires Content-Length and refuses
// bodies above MaxBodyBytes before reading any of it.
func (h *Handler) receiveBody(r *http.Request) (received, error) {
	if r.ContentLength < 0 {
		return received{}, newError("MissingContentLengthHeader", "Uploads must state their Content-Length (no chunked transfer encoding).")
	}
	if r.ContentLength > h.maxBody {
		return received{}, h.tooLarge()
	}
	f, err := os.CreateTemp(h.tmpDir(), "upload-*")
	if err != nil {
		return received{}, err
	}
	b := received{path: f.Name()}
	sum := md5.New()
	n, err := io.Copy(io.MultiWriter(f, sum), io.LimitReader(r.Body, r.ContentLength))
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
	b.size, b.md5 = n, sum.Sum(nil)
	return b, nil
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
