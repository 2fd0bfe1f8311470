package upload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mlbatch/ml/internal/clierr"
)

// Ignore-file names, looked up in the uploaded directory's root only, in this
// order (azure-ai-ml _utils/_asset_utils.py get_ignore_file).
const (
	amlIgnoreName = ".amlignore"
	gitIgnoreName = ".gitignore"
)

// ignoreRules is a parsed .amlignore/.gitignore with azure-ai-ml's semantics.
//
// We do not use github.com/sabhiram/go-gitignore: az does not follow git
// here. Its IgnoreFile.is_file_excluded walks the patterns in file order and
// returns at the FIRST pattern that matches (git lets the LAST one win), so
//
//	*.log
//	!keep.log
//
// still excludes keep.log under az. The hash must match az's, so the rules
// below reproduce az's vendored pathspec GitWildMatchPattern translation
// (_utils/_pathspec.py, read at commit 069499f9195441beec059f397acafe0caee0fe51)
// pattern by pattern, with first-match-wins. testdata/azml_hash.py restates
// the same rules in Python for the cross-check test.
type ignoreRules struct {
	// File is the ignore file's path ("" when there is none).
	File     string
	patterns []ignorePattern
}

type ignorePattern struct {
	source  string
	exclude bool           // false for a "!negated" pattern
	re      *regexp.Regexp // the whole pattern, anchored
	// dirRe matches a directory D when the pattern matches every path below
	// D ("D/anything"); nil when the pattern cannot promise that.
	dirRe *regexp.Regexp
	// coversAll is set when the pattern matches every path below any
	// directory ("**" and "**/").
	coversAll bool
}

// loadIgnore reads root/.amlignore if it exists, else root/.gitignore, else
// returns empty rules.
func loadIgnore(root string) (*ignoreRules, error) {
	for _, name := range []string{amlIgnoreName, gitIgnoreName} {
		path := filepath.Join(root, name)
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, clierr.Usagef("cannot read ignore file %s: %v; fix its permissions or remove it", path, err)
		}
		rules, err := parseIgnore(path, data)
		if err != nil {
			return nil, err
		}
		return rules, nil
	}
	return &ignoreRules{}, nil
}

// parseIgnore compiles an ignore file's content. Lines are split like
// Python's universal newlines and stripped like str.strip(), as az reads the
// file in text mode.
func parseIgnore(path string, data []byte) (*ignoreRules, error) {
	if !utf8.Valid(data) {
		return nil, clierr.Usagef("ignore file %s is not valid UTF-8; save it as UTF-8", path)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	rules := &ignoreRules{File: path}
	for i, line := range strings.Split(text, "\n") {
		p, ok, err := compileIgnorePattern(line)
		if err != nil {
			return nil, clierr.Usagef("ignore file %s line %d: %v; fix or remove the pattern", path, i+1, err)
		}
		if ok {
			rules.patterns = append(rules.patterns, p)
		}
	}
	return rules, nil
}

// excluded reports whether rel (a slash-separated path relative to the
// upload root, no leading slash) is excluded: the first pattern that matches
// decides.
func (r *ignoreRules) excluded(rel string) bool {
	for i := range r.patterns {
		if r.patterns[i].re.MatchString(rel) {
			return r.patterns[i].exclude
		}
	}
	return false
}

// prunable reports whether every path below the directory rel is excluded,
// so the walk need not list it. That holds when an excluding pattern covers
// all of rel's descendants and no negated pattern comes before it: with
// first-match-wins, each descendant then meets an excluding pattern first.
// The directory itself still counts (az hashes its name) — callers check
// excluded(rel) separately.
func (r *ignoreRules) prunable(rel string) bool {
	for i := range r.patterns {
		p := &r.patterns[i]
		if !p.exclude {
			return false
		}
		if p.coversAll || (p.dirRe != nil && p.dirRe.MatchString(rel)) {
			return true
		}
	}
	return false
}

// compileIgnorePattern translates one ignore-file line. ok is false for
// lines that are no-ops (blank, comment, a lone "/").
func compileIgnorePattern(line string) (p ignorePattern, ok bool, err error) {
	pattern := strings.TrimFunc(line, isPythonSpace)
	if pattern == "" || strings.HasPrefix(pattern, "#") || pattern == "/" {
		return p, false, nil
	}
	p.source = pattern
	p.exclude = true
	if strings.HasPrefix(pattern, "!") {
		p.exclude = false
		pattern = pattern[1:]
	}

	segs := strings.Split(pattern, "/")
	// Collapse runs of "**" into one.
	for i := len(segs) - 1; i > 0; i-- {
		if segs[i-1] == "**" && segs[i] == "**" {
			segs = append(segs[:i], segs[i+1:]...)
		}
	}
	// "**/" matches everything except files directly in the root.
	override := len(segs) == 2 && segs[0] == "**" && segs[1] == ""
	switch {
	case segs[0] == "":
		// A leading slash anchors the pattern to the root.
		segs = segs[1:]
	case len(segs) == 1 || (len(segs) == 2 && segs[1] == ""):
		// A single name (optionally with a trailing slash) matches at any depth.
		if segs[0] != "**" {
			segs = append([]string{"**"}, segs...)
		}
	}
	if len(segs) == 0 {
		return p, false, fmt.Errorf("invalid pattern %q", line)
	}
	if len(segs) > 1 && segs[len(segs)-1] == "" {
		// A trailing slash matches everything below the directory.
		segs[len(segs)-1] = "**"
	}

	// Python's "$" also matches before a final newline; "\n?\z" keeps that.
	const end = `\n?\z`
	if override {
		p.re = regexp.MustCompile(`^.+/.*` + end)
		p.coversAll = true
		return p, true, nil
	}

	var body, tail strings.Builder
	needSlash := false
	last := len(segs) - 1
	for i, seg := range segs {
		switch {
		case seg == "**" && i == 0 && i == last:
			body.WriteString(`.+`)
			p.coversAll = true
		case seg == "**" && i == 0:
			body.WriteString(`(?:.+/)?`)
			needSlash = false
		case seg == "**" && i == last:
			tail.WriteString(`/.*`)
		case seg == "**":
			body.WriteString(`(?:/.+)?`)
			needSlash = true
		default:
			if needSlash {
				body.WriteString(`/`)
			}
			if seg == "*" {
				body.WriteString(`[^/]+`)
			} else {
				re, err := translateGlobSegment(seg)
				if err != nil {
					return p, false, fmt.Errorf("invalid pattern %q: %v", line, err)
				}
				body.WriteString(re)
			}
			if i == last {
				// Without a trailing slash a name matches a file or a
				// directory together with everything below it.
				tail.WriteString(`(?:/.*)?`)
			}
			needSlash = true
		}
	}
	p.re, err = regexp.Compile(`^` + body.String() + tail.String() + end)
	if err != nil {
		return p, false, fmt.Errorf("invalid pattern %q: %v", line, err)
	}
	if tail.Len() > 0 {
		p.dirRe = regexp.MustCompile(`^` + body.String() + end)
	}
	return p, true, nil
}

// translateGlobSegment turns one path segment's glob into a regexp, like
// pathspec's _translate_segment_glob: "*" and "?" never match "/", "\x"
// escapes x, and "[...]" is a bracket expression ("[!...]" negates) whose
// characters are all literal (Python's re has no POSIX classes there).
func translateGlobSegment(seg string) (string, error) {
	rs := []rune(seg)
	var out strings.Builder
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '\\':
			if i+1 == len(rs) {
				return "", errors.New("escape character at the end with nothing to escape")
			}
			i++
			out.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '*':
			out.WriteString(`[^/]*`)
		case '?':
			out.WriteString(`[^/]`)
		case '[':
			class, next, err := translateBracket(rs, i+1)
			if err != nil {
				return "", err
			}
			if next < 0 {
				out.WriteString(`\[`) // no closing bracket: a literal "["
				continue
			}
			out.WriteString(class)
			i = next - 1
		default:
			out.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return out.String(), nil
}

// translateBracket reads a bracket expression starting just after "[" at
// rs[start]. It returns the Go character class and the index just past the
// closing "]", or next=-1 when there is no closing bracket.
func translateBracket(rs []rune, start int) (class string, next int, err error) {
	// Find the closing bracket the way pathspec does: skip a leading "!"
	// and a "]" right after it (or at the start), then the first "]".
	j := start
	if j < len(rs) && rs[j] == '!' {
		j++
	}
	if j < len(rs) && rs[j] == ']' {
		j++
	}
	for j < len(rs) && rs[j] != ']' {
		j++
	}
	if j >= len(rs) {
		return "", -1, nil
	}
	content := rs[start:j] // without the closing "]"
	var b strings.Builder
	b.WriteByte('[')
	if content[0] == '!' {
		b.WriteByte('^')
		content = content[1:]
	}
	// Parse like Python's re: items are single characters or "a-b" ranges,
	// all literal (pathspec doubles backslashes and escapes a leading "^");
	// a "-" right before the closing bracket is literal.
	for k := 0; k < len(content); k++ {
		lo := content[k]
		if k+2 < len(content) && content[k+1] == '-' {
			hi := content[k+2]
			if hi < lo {
				return "", 0, fmt.Errorf("bad character range %c-%c", lo, hi)
			}
			b.WriteString(classLiteral(lo) + "-" + classLiteral(hi))
			k += 2
			continue
		}
		b.WriteString(classLiteral(lo))
	}
	b.WriteByte(']')
	return b.String(), j + 1, nil
}

// classLiteral escapes r for use inside a Go character class.
func classLiteral(r rune) string {
	switch r {
	case '\\', ']', '[', '-', '^':
		return `\` + string(r)
	}
	return string(r)
}

// isPythonSpace is Python's str.isspace: Unicode white space plus the
// information separators U+001C..U+001F, which str.strip() also removes.
func isPythonSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
