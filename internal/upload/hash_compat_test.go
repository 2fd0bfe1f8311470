package upload

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hashCase is one fixture tree hashed by both our Go code and
// testdata/azml_hash.py (the SDK's algorithm restated in Python).
type hashCase struct {
	name string
	// build creates the fixture below dir and returns the path to hash.
	build func(t *testing.T, dir string) string
	// golden pins the hash so the test fails if Go and Python drift
	// together; "" where the hash depends on the filesystem's readdir
	// order (names that tie when lowercased).
	golden string
}

func hashCases() []hashCase {
	return []hashCase{
		{
			name: "nested mixed case",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "nested")
				writeTree(t, root, map[string]string{
					"B.txt":           "b",
					"a.txt":           "a",
					"C/d/E/f.txt":     "deep",
					"C/d/g.txt":       "g",
					"c2/H.txt":        "h",
					"alpha/Beta/x":    "x",
					"Alpha2/y":        "y",
					"README.md":       "# readme\n",
					"src/main.py":     "print('hi')\n",
					"src/__init__.py": "",
				})
				return root
			},
			golden: "45b02b523fddfea8e8c21fcbfdca9974",
		},
		{
			name: "awkward names",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "awkward & odd %")
				writeTree(t, root, awkwardTree())
				return root
			},
			golden: "ec75643d7e7a039b8e873306e99d5366",
		},
		{
			name: "amlignore first match wins",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "with-amlignore")
				writeTree(t, root, amlignoreTree())
				return root
			},
			golden: "7ef954a0263d07ea47840823f5acfbc5",
		},
		{
			name: "gitignore when no amlignore",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "with-gitignore")
				writeTree(t, root, map[string]string{
					".gitignore":                "node_modules\n*.pyc\nout/\n/top.tmp\n",
					"node_modules/pkg/index.js": "module.exports = 1",
					"app/node_modules/x.js":     "nested is excluded too",
					"app/main.py":               "print(1)",
					"app/main.pyc":              "bytecode",
					"out/result.txt":            "excluded contents, name hashed",
					"top.tmp":                   "anchored: excluded",
					"sub/top.tmp":               "anchored pattern does not reach here",
				})
				return root
			},
			golden: "1631285a837aa6757521fbb3bde0679a",
		},
		{
			name: "absolute symlinks",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "links")
				writeTree(t, root, map[string]string{
					"real/data.csv": "a,b\n1,2\n",
					"real/more.txt": "more",
					"target.txt":    "linked content",
				})
				symlink(t, filepath.Join(root, "target.txt"), filepath.Join(root, "link-to-file"))
				symlink(t, filepath.Join(root, "real"), filepath.Join(root, "link-to-dir"))
				return root
			},
			golden: "e5eaa1b91a0fd37e486acc90af9ef358",
		},
		{
			name: "names tying when lowercased",
			build: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "ties")
				writeTree(t, root, map[string]string{
					"README": "upper", "readme": "lower", "ReadMe": "mixed", "other": "x",
				})
				return root
			},
			golden: "", // order of README/readme/ReadMe is the filesystem's readdir order
		},
		{
			name: "single file",
			build: func(t *testing.T, dir string) string {
				path := filepath.Join(dir, "model.bin")
				writeTree(t, dir, map[string]string{"model.bin": strings.Repeat("weights ", 300000)})
				return path
			},
			golden: "f752071fc2ce4a5d43bf4f0d5a930548",
		},
		{
			name: "single empty file",
			build: func(t *testing.T, dir string) string {
				writeTree(t, dir, map[string]string{"empty.txt": ""})
				return filepath.Join(dir, "empty.txt")
			},
			golden: "bf6fb7b1e88207436d2a346c6bcf7ded",
		},
	}
}

// amlignoreTree exercises az's ignore semantics: first match wins, a
// directory pattern with a trailing slash (directory name still hashed),
// anchored and "**" patterns, bracket expressions, escapes, comments and
// surrounding spaces. The .gitignore beside it must be ignored.
func amlignoreTree() map[string]string {
	return map[string]string{
		".amlignore": strings.Join([]string{
			"# comment line",
			"*.log",
			"!keep.log", // too late: *.log matched first, keep.log stays excluded
			"!important.tmp",
			"*.tmp", // important.tmp was matched by the negation first: kept
			"build/",
			"/rootonly.txt",
			"**/cache",
			"docs/**/*.md",
			"[Tt]emp*",
			"data/[!a]*.csv",
			"  spaced.txt  ",
			`\#literal.txt`,
			"",
		}, "\r\n"),
		".gitignore":       "*.py\n",
		"app.log":          "excluded",
		"keep.log":         "excluded: first match wins",
		"important.tmp":    "kept",
		"scratch.tmp":      "excluded",
		"build/out.o":      "excluded; 'build' name still hashed",
		"build/sub/deep.o": "excluded",
		"rootonly.txt":     "excluded",
		"sub/rootonly.txt": "kept",
		"cache/x":          "excluded",
		"a/b/cache/y":      "excluded",
		"docs/a/b/page.md": "excluded",
		"docs/index.md":    "excluded (** matches zero dirs)",
		"docs/index.txt":   "kept",
		"Temp1":            "excluded",
		"temp2/x":          "excluded",
		"data/a1.csv":      "kept",
		"data/b1.csv":      "excluded",
		"spaced.txt":       "excluded",
		"#literal.txt":     "excluded",
		"main.py":          "kept (.gitignore is not used)",
		"src/train.py":     "kept",
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestHashMatchesAzureMLReference(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found on PATH: the hash cross-check needs it (.ci/run installs it)")
	}
	script, err := filepath.Abs(filepath.Join("testdata", "azml_hash.py"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range hashCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.build(t, t.TempDir())
			plan, err := NewPlan(t.Context(), path)
			if err != nil {
				t.Fatalf("NewPlan(t.Context(), %q): %v", path, err)
			}
			cmd := exec.Command(python, script, path)
			cmd.Dir = filepath.Dir(path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("python reference: %v\n%s", err, out)
			}
			want := strings.TrimSpace(string(out))
			if plan.Hash != want {
				t.Errorf("Go hash %s, azure-ai-ml reference %s", plan.Hash, want)
			}
			if tc.golden != "" && plan.Hash != tc.golden {
				t.Errorf("hash %s, pinned golden %s", plan.Hash, tc.golden)
			}
		})
	}
}
