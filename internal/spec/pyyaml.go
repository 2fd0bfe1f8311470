package spec

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// azure-ai-ml sends an environment's conda specification as the text
// PyYAML's yaml.dump(spec, sort_keys=True) makes of the parsed conda file,
// and hashes that text into an anonymous environment's version. This file
// reproduces that text: YAML 1.1 scalar resolution on the way in (yes/no
// are booleans, 010 is octal), and PyYAML's block style on the way out
// (sorted keys, unindented lists under a key, plain scalars unless they
// would read back as another type, lines folded at 80 columns).

// pyKind is the Python type a YAML value loads as.
type pyKind int

const (
	pyNull pyKind = iota
	pyBool
	pyInt
	pyFloat
	pyStr
	pyList
	pyMap
)

// pyValue is a loaded YAML value. For scalars text is what PyYAML writes
// back (the string itself for pyStr).
type pyValue struct {
	kind  pyKind
	text  string
	num   float64 // pyInt/pyFloat, for sorting keys
	items []*pyValue
	keys  []*pyValue
	vals  []*pyValue
}

// pyYAMLDump returns PyYAML's dump of the YAML tree n with sorted keys.
func pyYAMLDump(n *yaml.Node) (string, error) {
	v, err := pyLoad(n, 0)
	if err != nil {
		return "", err
	}
	e := &pyEmitter{indent: -1, whitespace: true, indention: true}
	e.node(v, false, false)
	e.writeIndent()
	return e.out.String(), nil
}

// pyLoad converts a yaml.v3 node with YAML 1.1 (PyYAML SafeLoader) rules.
func pyLoad(n *yaml.Node, depth int) (*pyValue, error) {
	if depth > 100 {
		return nil, fmt.Errorf("nested too deeply")
	}
	n = yamlnode.Deref(n)
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &pyValue{kind: pyNull, text: "null"}, nil
		}
		return pyLoad(n.Content[0], depth+1)
	case yaml.SequenceNode:
		v := &pyValue{kind: pyList}
		for _, c := range n.Content {
			item, err := pyLoad(c, depth+1)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		return v, nil
	case yaml.MappingNode:
		return pyLoadMap(n, depth)
	case yaml.ScalarNode:
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return &pyValue{kind: pyStr, text: n.Value}, nil
		}
		return pyResolve(n.Value), nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// pyLoadMap loads a mapping; a repeated key keeps its last value, as a
// Python dict does, and keys are sorted as sort_keys sorts them (mixed
// key types stay in file order, as PyYAML's sort then fails silently).
func pyLoadMap(n *yaml.Node, depth int) (*pyValue, error) {
	v := &pyValue{kind: pyMap}
	index := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := pyLoad(n.Content[i], depth+1)
		if err != nil {
			return nil, err
		}
		if k.kind == pyList || k.kind == pyMap {
			return nil, fmt.Errorf("line %d: a mapping key must be a single value", n.Content[i].Line)
		}
		val, err := pyLoad(n.Content[i+1], depth+1)
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("%d:%s", k.kind, k.text)
		if j, dup := index[id]; dup {
			v.vals[j] = val
			continue
		}
		index[id] = len(v.keys)
		v.keys = append(v.keys, k)
		v.vals = append(v.vals, val)
	}
	sameKind := true
	for _, k := range v.keys {
		numeric := k.kind == pyInt || k.kind == pyFloat || k.kind == pyBool
		if (k.kind == pyStr) != (v.keys[0].kind == pyStr) || (!numeric && k.kind != pyStr) {
			sameKind = false
		}
	}
	if sameKind {
		order := make([]int, len(v.keys))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			ka, kb := v.keys[order[a]], v.keys[order[b]]
			if ka.kind == pyStr {
				return ka.text < kb.text
			}
			return ka.num < kb.num
		})
		keys, vals := make([]*pyValue, len(order)), make([]*pyValue, len(order))
		for i, j := range order {
			keys[i], vals[i] = v.keys[j], v.vals[j]
		}
		v.keys, v.vals = keys, vals
	}
	return v, nil
}

// YAML 1.1 implicit types, as PyYAML's resolver defines them.
var (
	pyBoolRE  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	pyIntRE   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	pyFloatRE = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	pyNullRE  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	pyTimeRE  = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
	pyOtherRE = regexp.MustCompile(`^(?:<<|=)$`)
)

// pyImplicitStr reports whether s, written plain, reads back as a string.
func pyImplicitStr(s string) bool {
	return !(pyBoolRE.MatchString(s) || pyIntRE.MatchString(s) || pyFloatRE.MatchString(s) ||
		pyNullRE.MatchString(s) || pyTimeRE.MatchString(s) || pyOtherRE.MatchString(s))
}

// pyResolve loads a plain scalar as PyYAML's SafeLoader does.
func pyResolve(s string) *pyValue {
	switch {
	case pyNullRE.MatchString(s):
		return &pyValue{kind: pyNull, text: "null"}
	case pyBoolRE.MatchString(s):
		b := strings.ToLower(s)
		if b == "yes" || b == "true" || b == "on" {
			return &pyValue{kind: pyBool, text: "true", num: 1}
		}
		return &pyValue{kind: pyBool, text: "false"}
	case pyIntRE.MatchString(s):
		if v, ok := pyParseInt(s); ok {
			return &pyValue{kind: pyInt, text: strconv.FormatInt(v, 10), num: float64(v)}
		}
	case pyFloatRE.MatchString(s):
		if f, ok := pyParseFloat(s); ok {
			return &pyValue{kind: pyFloat, text: pyFloatText(f), num: f}
		}
	}
	// Timestamps load as dates and are written back as written; everything
	// else is a string.
	return &pyValue{kind: pyStr, text: s, num: 0}
}

func pyParseInt(s string) (int64, bool) {
	t := strings.ReplaceAll(s, "_", "")
	sign := int64(1)
	if t != "" && (t[0] == '-' || t[0] == '+') {
		if t[0] == '-' {
			sign = -1
		}
		t = t[1:]
	}
	var v int64
	var err error
	switch {
	case t == "0":
		return 0, true
	case strings.HasPrefix(t, "0b"):
		v, err = strconv.ParseInt(t[2:], 2, 64)
	case strings.HasPrefix(t, "0x"):
		v, err = strconv.ParseInt(t[2:], 16, 64)
	case strings.HasPrefix(t, "0"):
		v, err = strconv.ParseInt(t[1:], 8, 64)
	case strings.Contains(t, ":"):
		for _, part := range strings.Split(t, ":") {
			d, perr := strconv.ParseInt(part, 10, 64)
			if perr != nil {
				return 0, false
			}
			v = v*60 + d
		}
	default:
		v, err = strconv.ParseInt(t, 10, 64)
	}
	return sign * v, err == nil
}

func pyParseFloat(s string) (float64, bool) {
	t := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if t != "" && (t[0] == '-' || t[0] == '+') {
		if t[0] == '-' {
			sign = -1
		}
		t = t[1:]
	}
	switch {
	case t == ".inf":
		return sign * math.Inf(1), true
	case t == ".nan":
		return math.NaN(), true
	case strings.Contains(t, ":"):
		var v float64
		for _, part := range strings.Split(t, ":") {
			d, err := strconv.ParseFloat(part, 64)
			if err != nil {
				return 0, false
			}
			v = v*60 + d
		}
		return sign * v, true
	}
	f, err := strconv.ParseFloat(t, 64)
	return sign * f, err == nil
}

// pyFloatText is PyYAML's representation of a float: Python's repr, lower
// case, with ".0" added before an exponent that has no decimal point.
func pyFloatText(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(sci[strings.IndexByte(sci, 'e')+1:])
	var s string
	if exp < -4 || exp >= 16 {
		s = sci
		if !strings.Contains(s[:strings.IndexByte(s, 'e')], ".") {
			s = strings.Replace(s, "e", ".0e", 1)
		}
	} else {
		s = strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
	}
	return s
}

// pyEmitter writes block-style YAML the way PyYAML's Emitter does, with
// its defaults (indent 2, width 80, ASCII only).
type pyEmitter struct {
	out                   strings.Builder
	column                int
	whitespace, indention bool
	indent                int // -1 is PyYAML's None
	indents               []int
}

const pyWidth = 80

func (e *pyEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = 2
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += 2
	}
}

func (e *pyEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *pyEmitter) write(s string) {
	e.out.WriteString(s)
	e.column += len([]rune(s))
}

func (e *pyEmitter) lineBreak() {
	e.out.WriteByte('\n')
	e.whitespace, e.indention, e.column = true, true, 0
}

func (e *pyEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.lineBreak()
	}
	if e.column < indent {
		e.whitespace = true
		e.write(strings.Repeat(" ", indent-e.column))
	}
}

func (e *pyEmitter) indicator(ind string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		ind = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.write(ind)
}

// node writes v; inMapping/simpleKey are PyYAML's mapping and simple-key
// contexts.
func (e *pyEmitter) node(v *pyValue, inMapping, simpleKey bool) {
	switch v.kind {
	case pyList:
		if len(v.items) == 0 {
			e.indicator("[", true, true, false)
			e.indicator("]", false, false, false)
			return
		}
		e.increaseIndent(false, inMapping && !e.indention)
		for _, item := range v.items {
			e.writeIndent()
			e.indicator("-", true, false, true)
			e.node(item, false, false)
		}
		e.popIndent()
	case pyMap:
		if len(v.keys) == 0 {
			e.indicator("{", true, true, false)
			e.indicator("}", false, false, false)
			return
		}
		e.increaseIndent(false, false)
		for i, k := range v.keys {
			e.writeIndent()
			e.node(k, true, true)
			e.indicator(":", false, false, false)
			e.node(v.vals[i], true, false)
		}
		e.popIndent()
	default:
		e.increaseIndent(true, false)
		e.scalar(v, simpleKey)
		e.popIndent()
	}
}

// scalar writes a scalar in the style PyYAML chooses for it.
func (e *pyEmitter) scalar(v *pyValue, simpleKey bool) {
	if v.kind != pyStr {
		e.plain(v.text, !simpleKey)
		return
	}
	a := analyzeScalar(v.text)
	if pyImplicitStr(v.text) && !(simpleKey && (a.empty || a.multiline)) && a.blockPlain {
		e.plain(v.text, !simpleKey)
		return
	}
	if a.singleQuoted && !(simpleKey && a.multiline) {
		e.singleQuoted(v.text, !simpleKey)
		return
	}
	e.doubleQuoted(v.text, !simpleKey)
}

// scalarAnalysis is what PyYAML's analyze_scalar finds out about a string.
type scalarAnalysis struct {
	empty, multiline         bool
	blockPlain, singleQuoted bool
}

func isBreakRune(r rune) bool { return r == '\n' || r == '\x85' || r == '\u2028' || r == '\u2029' }

func isSpaceOrEnd(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isBreakRune(r)
}

func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, blockPlain: true, singleQuoted: true}
	}
	rs := []rune(s)
	blockIndicators := strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")
	var lineBreaks, special, leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	var prevSpace, prevBreak bool
	precededByWS := true
	followedByWS := len(rs) == 1 || isSpaceOrEnd(rs[1])
	for i, ch := range rs {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				blockIndicators = true
			}
			if (ch == '?' || ch == ':') && followedByWS {
				blockIndicators = true
			}
			if ch == '-' && followedByWS {
				blockIndicators = true
			}
		} else {
			if ch == ':' && followedByWS {
				blockIndicators = true
			}
			if ch == '#' && precededByWS {
				blockIndicators = true
			}
		}
		if isBreakRune(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || ch >= 0x20 && ch <= 0x7e) {
			// Anything outside printable ASCII is escaped: PyYAML's dump
			// defaults to allow_unicode=False.
			special = true
		}
		switch {
		case ch == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i == len(rs)-1
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isBreakRune(ch):
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i == len(rs)-1
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = isSpaceOrEnd(ch)
		followedByWS = i+2 >= len(rs) || isSpaceOrEnd(rs[i+2])
	}
	a := scalarAnalysis{multiline: lineBreaks, blockPlain: true, singleQuoted: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.blockPlain = false
	}
	if breakSpace {
		a.blockPlain, a.singleQuoted = false, false
	}
	if spaceBreak || special {
		a.blockPlain, a.singleQuoted = false, false
	}
	if lineBreaks || blockIndicators {
		a.blockPlain = false
	}
	return a
}

// plain writes a plain scalar, folding at a single space past the width.
func (e *pyEmitter) plain(text string, split bool) {
	if text == "" {
		return
	}
	if !e.whitespace {
		e.write(" ")
	}
	e.whitespace, e.indention = false, false
	rs := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune
		if end < len(rs) {
			ch = rs[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > pyWidth && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
				} else {
					e.write(string(rs[start:end]))
				}
				start = end
			}
		case breaks:
			if !isBreakRune(ch) {
				if rs[start] == '\n' {
					e.lineBreak()
				}
				for _, br := range rs[start:end] {
					if br == '\n' {
						e.lineBreak()
					} else {
						e.out.WriteRune(br)
						e.lineBreak()
					}
				}
				e.writeIndent()
				e.whitespace, e.indention = false, false
				start = end
			}
		default:
			if end == len(rs) || ch == ' ' || isBreakRune(ch) {
				e.write(string(rs[start:end]))
				start = end
			}
		}
		if end < len(rs) {
			spaces, breaks = ch == ' ', isBreakRune(ch)
		}
	}
}

// singleQuoted writes a single-quoted scalar (” for a quote), folding at
// a single inner space past the width.
func (e *pyEmitter) singleQuoted(text string, split bool) {
	e.indicator("'", true, false, false)
	rs := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune
		if end < len(rs) {
			ch = rs[end]
		}
		switch {
		case spaces:
			if end == len(rs) || ch != ' ' {
				if start+1 == end && e.column > pyWidth && split && start != 0 && end != len(rs) {
					e.writeIndent()
				} else {
					e.write(string(rs[start:end]))
				}
				start = end
			}
		case breaks:
			if end == len(rs) || !isBreakRune(ch) {
				if rs[start] == '\n' {
					e.lineBreak()
				}
				for _, br := range rs[start:end] {
					if br == '\n' {
						e.lineBreak()
					} else {
						e.out.WriteRune(br)
						e.lineBreak()
					}
				}
				e.writeIndent()
				start = end
			}
		default:
			if end == len(rs) || ch == ' ' || isBreakRune(ch) || ch == '\'' {
				if start < end {
					e.write(string(rs[start:end]))
					start = end
				}
			}
		}
		if end < len(rs) && ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if end < len(rs) {
			spaces, breaks = ch == ' ', isBreakRune(ch)
		}
	}
	e.indicator("'", false, false, false)
}

var pyEscapes = map[rune]string{
	0: "0", '\a': "a", '\b': "b", '\t': "t", '\n': "n", '\v': "v", '\f': "f", '\r': "r", 0x1b: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

// doubleQuoted writes a double-quoted scalar with PyYAML's escapes,
// folding with a trailing backslash past the width.
func (e *pyEmitter) doubleQuoted(text string, split bool) {
	e.indicator("\"", true, false, false)
	rs := []rune(text)
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune
		atEnd := end == len(rs)
		if !atEnd {
			ch = rs[end]
		}
		if atEnd || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xfeff || ch < 0x20 || ch > 0x7e {
			if start < end {
				e.write(string(rs[start:end]))
				start = end
			}
			if !atEnd {
				var esc string
				switch r, ok := pyEscapes[ch]; {
				case ok:
					esc = "\\" + r
				case ch <= 0xff:
					esc = fmt.Sprintf("\\x%02X", ch)
				case ch <= 0xffff:
					esc = fmt.Sprintf("\\u%04X", ch)
				default:
					esc = fmt.Sprintf("\\U%08X", ch)
				}
				e.write(esc)
				start = end + 1
			}
		}
		if end > 0 && end < len(rs)-1 && (ch == ' ' || start >= end) && e.column+(end-start) > pyWidth && split {
			data := string(rs[start:end]) + "\\"
			if start < end {
				start = end
			}
			e.write(data)
			e.writeIndent()
			e.whitespace, e.indention = false, false
			if rs[start] == ' ' {
				e.write("\\")
			}
		}
	}
	e.indicator("\"", false, false, false)
}
