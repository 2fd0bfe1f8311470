package blob

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of Azure Blob names, plus the file-system limit every blob name
// segment becomes subject to here.
const (
	maxBlobNameLen    = 1024 // characters, Azure's limit
	maxNameSegmentLen = 255  // bytes, the usual file-name limit
)

// validAccountName reports whether s is a storage account name: 3 to 24
// lowercase letters and digits.
func validAccountName(s string) bool {
	if len(s) < 3 || len(s) > 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkContainerName applies Azure's container naming rules: 3 to 63
// characters, lowercase letters, digits and dashes, starting and ending with
// a letter or digit, no two dashes in a row. These rules also keep a
// container name a single safe path segment.
func checkContainerName(s string) error {
	const rule = "container names have 3 to 63 characters: lowercase letters, digits and single dashes, starting and ending with a letter or digit"
	if len(s) < 3 || len(s) > 63 {
		return newError("OutOfRangeInput", "Container name %q has %d characters; %s.", s, len(s), rule)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1 && s[i-1] != '-':
		default:
			return newError("InvalidResourceName", "Container name %q is invalid; %s.", s, rule)
		}
	}
	return nil
}

// checkBlobName refuses blob names that cannot be stored as a file inside
// the container folder without ambiguity or escape: empty, too long, not
// UTF-8, absolute, with backslashes, control characters, empty segments,
// "." or ".." segments, or a trailing slash.
func checkBlobName(name string) error {
	fail := func(why string) error {
		return newError("InvalidResourceName", "Blob name %q %s; the local workspace stores each blob as a file, so use '/'-separated names without empty, '.' or '..' segments.", name, why)
	}
	switch {
	case name == "":
		return fail("is empty")
	case !utf8.ValidString(name):
		return fail("is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxBlobNameLen:
		return newError("OutOfRangeInput", "Blob name has %d characters; Azure allows at most %d.", utf8.RuneCountInString(name), maxBlobNameLen)
	case strings.HasPrefix(name, "/"):
		return fail("is absolute (starts with '/')")
	case strings.HasSuffix(name, "/"):
		return fail("ends with '/'")
	case strings.ContainsRune(name, '\\'):
		return fail("contains a backslash")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fail("contains a control character (NUL, newline, ...)")
		}
	}
	for _, seg := range strings.Split(name, "/") {
		switch {
		case seg == "":
			return fail("has an empty segment ('//')")
		case seg == "." || seg == "..":
			return fail(fmt.Sprintf("has a %q segment", seg))
		case len(seg) > maxNameSegmentLen:
			return newError("OutOfRangeInput", "Blob name %q has a segment of %d bytes; the local workspace stores blobs as files, whose names are limited to %d bytes.", name, len(seg), maxNameSegmentLen)
		}
	}
	return nil
}
