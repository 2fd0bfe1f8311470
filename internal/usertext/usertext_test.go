package usertext

import (
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"", "predictions.csv", "héllo wörld", "日本語", "a=b=c", "\uFFFD"} {
		if err := Check("--set x", ok); err != nil {
			t.Errorf("Check(%q) = %v, want nil", ok, err)
		}
	}
	for v, want := range map[string]string{
		"a\xffb.csv": "not valid UTF-8 (byte 0xff at offset 1)",
		"\xc3":       "not valid UTF-8 (byte 0xc3 at offset 0)",
		"a\nb":       "control character (U+000A at offset 1)",
		"a\x00":      "control character (U+0000 at offset 1)",
		"x\u0085":    "control character (U+0085 at offset 1)",
	} {
		err := Check("--set output_file_name", v)
		if !clierr.IsUsage(err) || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "--set output_file_name: ") {
			t.Errorf("Check(%q) = %v, want a usage error saying %q", v, err, want)
		}
	}
}
