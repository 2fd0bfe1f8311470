package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPyYAMLDumpMatchesPyYAML: conda files dump to the exact text of
// PyYAML 6's yaml.dump(yaml.safe_load(f), sort_keys=True), which
// testdata/pyyaml/*.pyyaml hold (made with PyYAML 6.0.3).
func TestPyYAMLDumpMatchesPyYAML(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "pyyaml", "*.yaml"))
	if err != nil || len(inputs) < 2 {
		t.Fatalf("inputs: %v %v", inputs, err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(in, ".yaml") + ".pyyaml")
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(src, &doc); err != nil {
				t.Fatal(err)
			}
			got, err := pyYAMLDump(&doc)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					g, w := "", ""
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("line %d: got %q, want %q", i+1, g, w)
					}
				}
			}
		})
	}
}

// TestPyFloatText: Python's float repr as PyYAML writes it.
func TestPyFloatText(t *testing.T) {
	for f, want := range map[float64]string{2.5: "2.5", 0.5: "0.5", 3: "3.0", 1e16: "1.0e+16", 1e15: "1000000000000000.0", 1e-5: "1.0e-05", 0.0001: "0.0001", 1.5e-7: "1.5e-07"} {
		if got := pyFloatText(f); got != want {
			t.Errorf("pyFloatText(%v) = %q, want %q", f, got, want)
		}
	}
}
