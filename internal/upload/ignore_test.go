package upload

import (
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func mustRules(t testing.TB, lines ...string) *ignoreRules {
	t.Helper()
	r, err := parseIgnore("/proj/.amlignore", []byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("parseIgnore(%q): %v", lines, err)
	}
	return r
}

func TestIgnoreExcluded(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		path     string
		want     bool
	}{
		{"plain name at root", []string{"foo"}, "foo", true},
		{"plain name at depth", []string{"foo"}, "a/b/foo", true},
		{"plain name covers contents", []string{"foo"}, "a/foo/bar.txt", true},
		{"plain name is not a prefix", []string{"foo"}, "foobar", false},
		{"star extension", []string{"*.log"}, "x/y/app.log", true},
		{"star does not cross slash", []string{"a/*.log"}, "a/b/c.log", false},
		{"star segment", []string{"a/*"}, "a/b/c", true},
		{"star segment needs a name", []string{"a/*"}, "a", false},
		{"question mark", []string{"file?.txt"}, "file1.txt", true},
		{"question mark not slash", []string{"a?b"}, "a/b", false},
		{"trailing slash does not match dir itself", []string{"build/"}, "build", false},
		{"trailing slash matches contents", []string{"build/"}, "build/x.o", true},
		{"trailing slash at depth", []string{"build/"}, "src/build/x.o", true},
		{"anchored at root", []string{"/top.txt"}, "top.txt", true},
		{"anchored not deeper", []string{"/top.txt"}, "sub/top.txt", false},
		{"path with slash is anchored", []string{"a/b"}, "x/a/b", false},
		{"path with slash at root", []string{"a/b"}, "a/b", true},
		{"leading double star", []string{"**/cache"}, "x/y/cache/z", true},
		{"middle double star zero dirs", []string{"docs/**/*.md"}, "docs/index.md", true},
		{"middle double star many dirs", []string{"docs/**/*.md"}, "docs/a/b/c.md", true},
		{"trailing double star", []string{"logs/**"}, "logs/a/b", true},
		{"trailing double star not dir itself", []string{"logs/**"}, "logs", false},
		{"lone double star", []string{"**"}, "anything/at/all", true},
		{"double star slash skips root files", []string{"**/"}, "rootfile", false},
		{"double star slash matches nested", []string{"**/"}, "dir/file", true},
		{"bracket", []string{"[Tt]emp"}, "temp", true},
		{"bracket other", []string{"[Tt]emp"}, "Xemp", false},
		{"negated bracket", []string{"[!a]*.csv"}, "b.csv", true},
		{"negated bracket excluded char", []string{"[!a]*.csv"}, "a.csv", false},
		{"range", []string{"data[0-9]"}, "data7", true},
		{"leading caret is literal", []string{"[^x]"}, "^", true},
		{"leading caret is literal 2", []string{"[^x]"}, "y", false},
		{"caret starts a range like Python", []string{"[^-a]"}, "_", true},
		{"posix class is literal in Python", []string{"[[:alpha:]]"}, "a]", true},
		{"posix class is literal in Python 2", []string{"[[:alpha:]]"}, "b", false},
		{"leading close bracket literal", []string{"[]a]"}, "]", true},
		{"unclosed bracket literal", []string{"a[b"}, "a[b", true},
		{"dash before close is literal", []string{"[a-]"}, "-", true},
		{"escaped hash", []string{`\#x`}, "#x", true},
		{"escaped bang", []string{`\!x`}, "!x", true},
		{"escaped star literal", []string{`a\*`}, "a*", true},
		{"escaped star not wildcard", []string{`a\*`}, "ab", false},
		{"comment ignored", []string{"#foo"}, "#foo", false},
		{"lone slash ignored", []string{"/"}, "x", false},
		{"spaces stripped", []string{"  x.txt \t"}, "x.txt", true},
		{"regex metacharacters literal", []string{"a+b(c).txt"}, "a+b(c).txt", true},
		{"dot literal", []string{"a.b"}, "aXb", false},
		{"unicode", []string{"café*"}, "dir/café au lait", true},
		{"case sensitive", []string{"*.LOG"}, "a.log", false},
		{"first match wins over later negation", []string{"*.log", "!keep.log"}, "keep.log", true},
		{"earlier negation wins", []string{"!keep.log", "*.log"}, "keep.log", false},
		{"negation without later exclusion", []string{"!x"}, "x", false},
		{"no patterns", nil, "x", false},
		{"python dollar before final newline", []string{"x"}, "x\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRules(t, tt.patterns...)
			if got := r.excluded(tt.path); got != tt.want {
				t.Errorf("patterns %q: excluded(%q) = %v, want %v", tt.patterns, tt.path, got, tt.want)
			}
		})
	}
}

func TestIgnorePrunable(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		dir      string
		want     bool
	}{
		{"trailing slash dir", []string{"build/"}, "build", true},
		{"trailing slash nested dir", []string{"build/"}, "a/build", true},
		{"other dir", []string{"build/"}, "src", false},
		{"trailing double star", []string{"logs/**"}, "logs", true},
		{"plain name", []string{"node_modules"}, "node_modules", true},
		{"star segment is per child", []string{"a/*"}, "a", false},
		{"negation first blocks pruning", []string{"!build/keep", "build/"}, "build", false},
		{"negation after does not block", []string{"build/", "!build/keep"}, "build", true},
		{"unrelated negation first blocks (conservative)", []string{"!x", "build/"}, "build", false},
		{"double star slash", []string{"**/"}, "any", true},
		{"lone double star", []string{"**"}, "any", true},
		{"file pattern", []string{"*.log"}, "logs", false},
		{"no patterns", nil, "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRules(t, tt.patterns...)
			if got := r.prunable(tt.dir); got != tt.want {
				t.Errorf("patterns %q: prunable(%q) = %v, want %v", tt.patterns, tt.dir, got, tt.want)
			}
		})
	}
}

func TestIgnoreInvalidPatterns(t *testing.T) {
	tests := []struct {
		name, file, wantInErr string
	}{
		{"lone bang", "ok\n!\n", "line 2"},
		{"dangling escape", `foo\`, "escape"},
		{"reversed range", "[z-a]", "bad character range"},
		{"not utf-8", "\xff\xfe", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIgnore("/proj/.amlignore", []byte(tt.file))
			if err == nil {
				t.Fatal("no error")
			}
			if !clierr.IsUsage(err) {
				t.Errorf("error %v is not a usage error", err)
			}
			for _, want := range []string{"/proj/.amlignore", tt.wantInErr} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// FuzzIgnorePrune checks the pruning shortcut against the rules it
// summarises: when a directory is prunable, every path below it must be
// excluded, or the walk would skip files az uploads.
func FuzzIgnorePrune(f *testing.F) {
	f.Add("build/\n!build/keep\n", "build", "keep")
	f.Add("!a/x\na/\n", "a", "x")
	f.Add("**/\n", "d", "f")
	f.Add("docs/**/*.md\nlogs/**\n", "logs", "a/b.md")
	f.Add("a*/\n[!x]/**\n", "ab", "c")
	f.Fuzz(func(t *testing.T, file, dir, child string) {
		r, err := parseIgnore("/fuzz/.amlignore", []byte(file))
		if err != nil {
			return
		}
		if dir == "" || child == "" || strings.ContainsAny(dir+child, "\n") ||
			strings.HasPrefix(dir, "/") || strings.HasSuffix(dir, "/") {
			return
		}
		if r.prunable(dir) && !r.excluded(dir+"/"+child) {
			t.Errorf("rules %q: prunable(%q) but %q is not excluded", file, dir, dir+"/"+child)
		}
	})
}
