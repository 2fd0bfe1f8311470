// Package blobcrc is the CRC-64 Azure Storage verifies in x-ms-content-crc64
// (the polynomial azblob uses, 0x9A6C9329AC4BC9B5, reflected, with the
// usual inversions of hash/crc64), shared by the uploader that sends it and
// the local blob service that checks it.
package blobcrc

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc64"
)

// Table is Azure Storage's CRC-64 table.
var Table = crc64.MakeTable(0x9A6C9329AC4BC9B5)

// New returns a hash.Hash64 computing Azure Storage's CRC-64.
func New() hash.Hash64 { return crc64.New(Table) }

// Checksum is the CRC-64 of data.
func Checksum(data []byte) uint64 { return crc64.Checksum(data, Table) }

// Bytes is the wire form of a CRC-64: 8 bytes, little-endian, as azblob
// puts it in x-ms-content-crc64 (base64 of these).
func Bytes(crc uint64) []byte { return binary.LittleEndian.AppendUint64(nil, crc) }

// Header is the x-ms-content-crc64 value of crc.
func Header(crc uint64) string { return base64.StdEncoding.EncodeToString(Bytes(crc)) }
