package upload

import (
	"context"
	"crypto/md5"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/mlbatch/ml/internal/blobcrc"
	"github.com/mlbatch/ml/internal/upload/hashcache"
)

// hashSeed is what azure-ai-ml feeds its MD5 before anything else
// (_utils/_asset_utils.py get_object_hash). Changing it changes every
// upload destination.
const hashSeed = "Initialize for october 2021 AML CLI version"

// hashBufferSize is the read size while hashing. az reads 1 KiB at a time
// (_artifacts/_constants.py CHUNK_SIZE), which costs a syscall per KiB; 1 MiB
// keeps the hash pass disk-bound while memory stays constant.
const hashBufferSize = 1 << 20

// newObjectHash returns an MD5 already fed with hashSeed.
func newObjectHash() hash.Hash {
	h := md5.New()
	h.Write([]byte(hashSeed))
	return h
}

// fileSums is what the plan's read of one file computes for its upload,
// so that the upload only reads and sends.
type fileSums struct {
	// blockSize is the file's block size, 0 for a single Put Blob.
	blockSize int64
	// crc64 is the CRC-64 of each request body: the whole file for a
	// single Put Blob, else each block.
	crc64 []uint64
	// md5 is the file's MD5 when it goes in blocks (the service computes
	// it for a single Put Blob).
	md5 []byte
}

// fileHasher reads each file once and feeds three hashes from that one
// read: az's content hash (tree, shared by the whole plan), the file's
// MD5 and the CRC-64 of each request body. On a file larger than one read
// buffer the three run in their own goroutines over each buffer while the
// next one is read, so the work spreads over the cores; az's hash, one MD5
// stream over every byte in order, is the part that cannot be split.
type fileHasher struct {
	// ctx stops a file's read between buffers.
	ctx    context.Context
	tree   hash.Hash
	layout Layout
	bufs   chan []byte
	// afterRead, when set, is called after each read (PlanOptions).
	afterRead func(int)
}

// readAhead is how many read buffers a file's pipeline holds: one being
// read, the others being hashed.
const readAhead = 3

func newFileHasher(ctx context.Context, tree hash.Hash, layout Layout, afterRead func(int)) *fileHasher {
	if afterRead == nil {
		afterRead = func(int) {}
	}
	h := &fileHasher{ctx: ctx, tree: tree, layout: layout.withDefaults(), bufs: make(chan []byte, readAhead), afterRead: afterRead}
	for range readAhead {
		h.bufs <- make([]byte, hashBufferSize)
	}
	return h
}

// hashFile reads the file at path into the tree hash and returns its size,
// its checksums and its stat as seen when opened.
func (h *fileHasher) hashFile(path string) (int64, fileSums, hashcache.Stat, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fileSums{}, hashcache.Stat{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fileSums{}, hashcache.Stat{}, fmt.Errorf("hash %s: %w", path, err)
	}
	st := hashcache.StatOf(fi)
	blockSize, err := h.layout.blockSize(fi.Size())
	if err != nil {
		return 0, fileSums{}, st, fmt.Errorf("%s: %w", path, err)
	}
	sums := fileSums{blockSize: blockSize}
	crc := &blockCRC{size: blockSize}
	var fileMD5 hash.Hash
	if blockSize > 0 {
		fileMD5 = md5.New()
	}
	var n int64
	if fi.Size() <= hashBufferSize {
		n, err = h.hashSmall(f, crc, fileMD5)
	} else {
		n, err = h.hashPipelined(f, crc, fileMD5)
	}
	if err != nil {
		return n, sums, st, fmt.Errorf("hash %s: %w", path, err)
	}
	if n != fi.Size() {
		return n, sums, st, fmt.Errorf("hash %s: the file changed while it was read (%d bytes, then %d); run the command again once it is complete", path, fi.Size(), n)
	}
	sums.crc64 = crc.finish()
	if fileMD5 != nil {
		sums.md5 = fileMD5.Sum(nil)
	}
	return n, sums, st, nil
}

// hashSmall hashes a file that fits one buffer, in this goroutine.
func (h *fileHasher) hashSmall(f *os.File, crc *blockCRC, fileMD5 hash.Hash) (int64, error) {
	buf := <-h.bufs
	defer func() { h.bufs <- buf }()
	var n int64
	for {
		if err := h.ctx.Err(); err != nil {
			return n, err
		}
		k, err := f.Read(buf)
		h.afterRead(k)
		h.tree.Write(buf[:k])
		crc.write(buf[:k])
		if fileMD5 != nil {
			fileMD5.Write(buf[:k])
		}
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// hashPipelined reads buffers in this goroutine and hands each to one
// goroutine per hash; a buffer is read again once every hash is done with
// it.
func (h *fileHasher) hashPipelined(f *os.File, crc *blockCRC, fileMD5 hash.Hash) (int64, error) {
	type chunk struct {
		data []byte
		left *atomic.Int32
	}
	writers := []func([]byte){func(b []byte) { h.tree.Write(b) }, crc.write}
	if fileMD5 != nil {
		writers = append(writers, func(b []byte) { fileMD5.Write(b) })
	}
	chans := make([]chan chunk, len(writers))
	var wg sync.WaitGroup
	for i, w := range writers {
		chans[i] = make(chan chunk, readAhead)
		wg.Go(func() {
			for c := range chans[i] {
				w(c.data)
				if c.left.Add(-1) == 0 {
					h.bufs <- c.data[:cap(c.data)]
				}
			}
		})
	}
	var n int64
	var readErr error
	for {
		if err := h.ctx.Err(); err != nil {
			readErr = err
			break
		}
		buf := <-h.bufs
		k, err := io.ReadFull(f, buf)
		h.afterRead(k)
		if k > 0 {
			left := &atomic.Int32{}
			left.Store(int32(len(writers)))
			for _, ch := range chans {
				ch <- chunk{data: buf[:k], left: left}
			}
			n += int64(k)
		} else {
			h.bufs <- buf
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	return n, readErr
}

// blockCRC computes the CRC-64 of each block of size bytes (of the whole
// input when size is 0).
type blockCRC struct {
	size int64
	cur  uint64
	fill int64
	done []uint64
}

func (b *blockCRC) write(p []byte) {
	for len(p) > 0 {
		take := int64(len(p))
		if b.size > 0 {
			take = min(take, b.size-b.fill)
		}
		b.cur = crc64.Update(b.cur, blobcrc.Table, p[:take])
		b.fill += take
		p = p[take:]
		if b.size > 0 && b.fill == b.size {
			b.done = append(b.done, b.cur)
			b.cur, b.fill = 0, 0
		}
	}
}

// finish returns one CRC per request body: the whole input's for a single
// Put Blob (0 for an empty file), else one per block.
func (b *blockCRC) finish() []uint64 {
	if b.size == 0 || b.fill > 0 {
		b.done = append(b.done, b.cur)
	}
	return b.done
}

// pythonLower lowercases s the way Python's str.lower() does, which az uses
// as the sort key of directory entries. It differs from strings.ToLower in
// the two unconditional-or-contextual full mappings Python applies:
// U+0130 (İ) becomes "i̇" (two code points) and a capital sigma at the end of
// a word becomes the final form ς instead of σ.
func pythonLower(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && isFinalSigma(rs, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isFinalSigma applies Unicode's Final_Sigma condition (as CPython does):
// a cased letter precedes the sigma and none follows it, skipping
// case-ignorable characters in both directions.
func isFinalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !isCased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && isCaseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !isCased(rs[j])
}

func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// isCaseIgnorable approximates Unicode's Case_Ignorable property: marks,
// format characters, modifiers, and the word-internal punctuation of
// Word_Break MidLetter/MidNumLet/Single_Quote.
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00b7', '\u0387', '\u05f4', '\u2018', '\u2019', '\u2024',
		'\u2027', '\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
