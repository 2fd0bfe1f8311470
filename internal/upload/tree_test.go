package upload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files below root: a key ending in "/" is an (empty)
// directory, any other key a file with the value as content. Parents are
// created as needed.
func writeTree(t testing.TB, root string, tree map[string]string) {
	t.Helper()
	for rel, content := range tree {
		path := filepath.Join(root, filepath.FromSlash(rel))
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// awkwardTree has the names that break naive escaping and sorting: Unicode
// (including the two characters Python lowercases differently from Go's
// simple mapping), spaces, %, &, #, +, quotes, empty files and an empty
// directory.
func awkwardTree() map[string]string {
	return map[string]string{
		"naïve café.txt":       "crème brûlée\n",
		"100% done.txt":        "percent",
		"a&b.txt":              "ampersand",
		"hash#tag.txt":         "hash",
		"plus+sign;semi.txt":   "plus",
		"quote's.txt":          "",
		"日本語/ファイル 1.txt":       "japanese",
		"ΟΔΟΣ.txt":             "greek sigma before an extension is not final",
		"ΟΔΟΣ":                 "greek final sigma",
		"οδοσ":                 "sorts after the final-sigma name in Python",
		"οδοσα.txt":            "greek lower",
		"İstanbul.txt":         "dotted capital I",
		"istanbul.txt":         "plain i",
		"dir with spaces/x y":  "space in both",
		"dir with spaces/Z":    "capital",
		"dir with spaces/a":    "lower",
		"empty dir/":           "",
		"Zeta/alpha/beta.bin":  string([]byte{0, 1, 2, 255, 254}),
		"zeta2/empty.txt":      "",
		"_under.txt":           "underscore sorts between upper and lower case",
		"UPPER.txt":            "upper",
		"lower.txt":            "lower",
		"a.b":                  "dot",
		"a b":                  "space",
		"a_b":                  "underscore",
		"a-b/c":                "dash dir",
		"question?mark.txt":    "question",
		"brackets [1].txt":     "brackets",
		"tab\there.txt":        "tab",
		"emoji 🚀/launch.txt":   "rocket",
		"percent%2Fslash.txt":  "looks escaped",
		"trailing.dot.":        "trailing dot",
		"x/y/z/deep/file.json": "{}",
	}
}
