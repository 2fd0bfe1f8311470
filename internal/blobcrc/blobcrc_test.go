package blobcrc

import (
	"bytes"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
)

// TestMatchesAzblob: the header value is what azblob itself computes and
// sends for TransferValidationTypeComputeCRC64 (a captured request's
// header, for known content), so the uploader and the service agree with
// the SDK and hence with Azure Storage.
func TestMatchesAzblob(t *testing.T) {
	// blob.TransferValidationTypeComputeCRC64 computes with the SDK's own
	// table; run it through a setter to read its value.
	data := []byte("The quick brown fox jumps over the lazy dog")
	var got setter
	if _, err := blob.TransferValidationTypeComputeCRC64().Apply(nopSeeker(data), &got); err != nil {
		t.Fatal(err)
	}
	if want := Bytes(Checksum(data)); string(got.crc) != string(want) {
		t.Errorf("azblob sends %x, we compute %x", got.crc, want)
	}
	h := New()
	h.Write(data[:10])
	h.Write(data[10:])
	if h.Sum64() != Checksum(data) {
		t.Error("streaming and one-shot CRC differ")
	}
	if Header(0) != "AAAAAAAAAAA=" {
		t.Errorf("Header(0) = %q", Header(0))
	}
}

// setter records what a transfer validation sets.
type setter struct{ crc, md5 []byte }

func (s *setter) SetCRC64(v []byte)               { s.crc = v }
func (s *setter) SetMD5(v []byte)                 { s.md5 = v }
func (s *setter) SetStructuredBody(string, int64) {}

type seeker struct{ *bytes.Reader }

func (seeker) Close() error { return nil }

func nopSeeker(b []byte) seeker { return seeker{bytes.NewReader(b)} }
