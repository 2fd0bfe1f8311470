package upload

import (
	"crypto/md5"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"unicode"
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

// hashFileInto streams the file at path into h through buf and returns the
// number of bytes read. It reads with f.Read, not io.Copy: *os.File's
// WriteTo would bypass buf and fall back to 32 KiB reads.
func hashFileInto(h hash.Hash, path string, buf []byte) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	var n int64
	for {
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("hash %s: %w", path, err)
		}
	}
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
