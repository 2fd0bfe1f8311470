package invocation

import (
	"strings"

	"github.com/mlbatch/ml/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// nodeReader turns yaml.v3 nodes into values, with every error as a usage
// error located "FILE:LINE: ...".
type nodeReader struct{ file string }

// errf returns a usage error located at n.
func (r nodeReader) errf(n *yaml.Node, format string, args ...any) error {
	return yamlnode.Usagef(yamlnode.At(r.file, n), format, args...)
}

// mapping returns the pairs of mapping node n (see yamlnode.Pairs). where
// names the mapping ("inputs.foo"); shape says what it should hold, for the
// non-mapping error.
func (r nodeReader) mapping(n *yaml.Node, where, shape string) ([]yamlnode.Pair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, r.errf(n, "%s must be %s, not %s", where, shape, kindName(n))
	}
	return yamlnode.Pairs(n, where, r.errf, func(k, first *yaml.Node) error {
		return r.errf(k, "duplicate key %s in %s (first at line %d)", quote(k.Value), where, first.Line)
	})
}

// unknownKey is the strict-decoding error for a key a mapping may not hold.
func (r nodeReader) unknownKey(p yamlnode.Pair, where string, valid []string) error {
	return r.errf(p.KeyNode, "unknown key %s %s; valid keys: %s", quote(p.Key), where, strings.Join(valid, ", "))
}

// kindName says what a node is, for "must be X, not Y" messages. It is not
// spec's kindName: the wording differs and tests assert each.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if yamlnode.IsNull(n) {
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
	if yamlnode.IsNull(n) {
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
	if yamlnode.IsNull(n) {
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
	if n.Kind != yaml.ScalarNode || yamlnode.IsNull(n) {
		return kindName(n)
	}
	return quote(n.Value)
}
