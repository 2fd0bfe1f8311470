// Package usertext checks text given on the command line (--set values,
// names) before it reaches a request: invalid UTF-8 would be replaced by
// U+FFFD when encoded as JSON, so the service would store a different value
// than the one given, and control characters break the files, paths and
// logs the value ends up in.
package usertext

import (
	"unicode"
	"unicode/utf8"

	"github.com/mlbatch/ml/internal/clierr"
)

// Check returns a usage error naming source (a flag or "--set KEY") when
// value is not valid UTF-8 or holds a control character. The value is not
// echoed: it may be a secret URL.
func Check(source, value string) error {
	for i, r := range value {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(value[i:]); size == 1 {
				return clierr.Usagef("%s: the value is not valid UTF-8 (byte 0x%02x at offset %d); give it in UTF-8", source, value[i], i)
			}
		}
		if unicode.IsControl(r) {
			return clierr.Usagef("%s: the value contains a control character (%U at offset %d); remove it", source, r, i)
		}
	}
	return nil
}
