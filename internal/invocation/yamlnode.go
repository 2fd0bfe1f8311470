package invocation

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
	"gopkg.in/yaml.v3"
)

// nodeReader turns yaml.v3 nodes into values, with every error as a usage
// error located "FILE:LINE: ...".
type nodeReader struct{ file string }

// errf returns a usage error located at n.
func (r nodeReader) errf(n *yaml.Node, format string, args ...any) error {
	return clierr.Usagef("%s:%d: %s", r.file, n.Line, fmt.Sprintf(format, args...))
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError rewrites a yaml.v3 parse error as "FILE:LINE: message".
func (r nodeReader) syntaxError(err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return clierr.Usagef("%s:%s: invalid YAML: %s", r.file, m[1], m[2])
	}
	return clierr.Usagef("%s: invalid YAML: %s", r.file, strings.TrimPrefix(msg, "yaml: "))
}

// deref follows aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// yamlPair is one key/value of a mapping, aliases resolved.
type yamlPair struct {
	key  string
	k, v *yaml.Node
}

// mapping returns the pairs of mapping node n, refusing non-mappings,
// non-scalar or duplicate keys and merge keys. where names the mapping
// ("inputs.foo"); shape says what it should hold, for the non-mapping error.
func (r nodeReader) mapping(n *yaml.Node, where, shape string) ([]yamlPair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, r.errf(n, "%s must be %s, not %s", where, shape, kindName(n))
	}
	seen := map[string]int{}
	pairs := make([]yamlPair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.ShortTag() == "!!merge" {
			return nil, r.errf(k, "YAML merge keys (<<) are not supported in %s; write the keys out", where)
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return nil, r.errf(k, "keys in %s must be plain names", where)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, r.errf(k, "duplicate key %s in %s (first at line %d)", quote(k.Value), where, first)
		}
		seen[k.Value] = k.Line
		pairs = append(pairs, yamlPair{key: k.Value, k: k, v: v})
	}
	return pairs, nil
}

// unknownKey is the strict-decoding error for a key a mapping may not hold.
func (r nodeReader) unknownKey(p yamlPair, where string, valid []string) error {
	return r.errf(p.k, "unknown key %s %s; valid keys: %s", quote(p.key), where, strings.Join(valid, ", "))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "empty"
		}
		return "a single value"
	}
	return "a document"
}

// text returns a scalar's text as written, refusing empty values and
// non-scalars. Names, paths, types and modes are read with it: `path: 2024`
// is the folder "2024".
func (r nodeReader) text(n *yaml.Node, where string) (string, error) {
	if isNull(n) {
		return "", r.errf(n, "%s has no value", where)
	}
	if n.Kind != yaml.ScalarNode {
		return "", r.errf(n, "%s must be a single value, not %s", where, kindName(n))
	}
	if n.Value == "" {
		return "", r.errf(n, "%s must not be empty", where)
	}
	return n.Value, nil
}

// yaml11Bools are the plain scalars PyYAML (YAML 1.1, what az reads --file
// with) takes as booleans beyond true/false; yaml.v3 (YAML 1.2) reads them
// as strings. We follow az so that `x: yes` sends "True" as az does.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// literal reads a literal value, keeping the YAML type it resolved to.
// Timestamps are kept as written (az would hold a datetime and print it the
// same way for dates).
func (r nodeReader) literal(n *yaml.Node, where string) (scalar, error) {
	if isNull(n) {
		return scalar{}, r.errf(n, "%s has no value", where)
	}
	if n.Kind != yaml.ScalarNode {
		return scalar{}, r.errf(n, "%s must be a single value, not %s", where, kindName(n))
	}
	switch n.ShortTag() {
	case "!!str":
		if b, ok := yaml11Bools[n.Value]; ok && n.Style == 0 {
			return scalar{kind: kindBool, b: b}, nil
		}
		return stringScalar(n.Value), nil
	case "!!timestamp":
		return stringScalar(n.Value), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return scalar{}, r.errf(n, "%s: %s is not a boolean", where, quote(n.Value))
		}
		return scalar{kind: kindBool, b: b}, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return scalar{}, r.errf(n, "%s: integer %s is out of range", where, quote(n.Value))
		}
		return scalar{kind: kindInt, i: i}, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return scalar{}, r.errf(n, "%s: %s is not a number", where, quote(n.Value))
		}
		return scalar{kind: kindFloat, f: f}, nil
	}
	return scalar{}, r.errf(n, "%s: unsupported YAML tag %s; write a plain value", where, n.ShortTag())
}

// integer reads an integer scalar (settings take integers, not strings).
func (r nodeReader) integer(n *yaml.Node, where string) (int64, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, r.errf(n, "%s must be an integer, not %s", where, describeScalar(n))
	}
	var i int64
	if err := n.Decode(&i); err != nil {
		return 0, r.errf(n, "%s: integer %s is out of range", where, quote(n.Value))
	}
	return i, nil
}

func describeScalar(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return kindName(n)
	}
	return quote(n.Value)
}
