// Package yamlnode is the one way ml reads YAML, and the strict-decoding
// primitives its decoders share.
//
// Reading is bounded (limits.go): ReadFile reads a -f/--file input (a
// regular file, or stdin for "-", never a FIFO or device; Ctrl-C ends a
// read of stdin) up to a size limit, and Parse, Document and Unmarshal parse
// within limits on documents, depth and the nodes and text an input holds
// once its aliases are expanded. Every YAML input the CLI or the server
// reads goes through them; nothing calls yaml.Unmarshal or yaml.NewDecoder
// directly.
//
// The decoders of --file (internal/invocation) and of asset specs
// (internal/spec) read yaml.v3 nodes rather than decoding into structs so
// that every error can name the file and line of the offending key; the
// rules for what a well-formed mapping is, and the "FILE:LINE: message"
// form, must not drift between the two. Messages the two packages word
// differently (what a node "is", the duplicate-key error) stay with the
// caller: their tests assert them exactly.
package yamlnode

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
)

// maxAliasDepth bounds Deref: yaml.v3 refuses alias cycles when parsing, but
// trees built or edited in code (overrides) are not parsed, and a bound costs
// nothing.
const maxAliasDepth = 100

// Deref follows aliases (*anchor) to the node they name, so that callers see
// the value and its line rather than the alias.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasDepth; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or a YAML null ("key:" with no value,
// "~", "null"): both decoders treat an empty value as "not set".
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Pair is one key/value of a mapping, aliases resolved. KeyNode is kept for
// its line: errors about a key point at the key, not its value.
type Pair struct {
	// Key is the key's text.
	Key string
	// KeyNode and Value are the key and value nodes.
	KeyNode, Value *yaml.Node
}

// Errorf returns an error located at n. Each package passes its own so that
// the errors Pairs returns keep that package's location form.
type Errorf func(n *yaml.Node, format string, args ...any) error

// Pairs returns the entries of mapping n in order, refusing merge keys (<<),
// keys that are not plain scalars and duplicate keys: yaml.v3's own decoding
// would merge, stringify or silently overwrite them, and a strict decoder
// must say so instead. where names the mapping in messages ("inputs.foo").
//
// The caller checks that n is a mapping and words the duplicate-key error
// (duplicate gets the repeated key and its first occurrence), since the
// packages phrase both differently.
func Pairs(n *yaml.Node, where string, errf Errorf, duplicate func(k, first *yaml.Node) error) ([]Pair, error) {
	n = Deref(n)
	seen := map[string]*yaml.Node{}
	pairs := make([]Pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Deref(n.Content[i]), Deref(n.Content[i+1])
		if k.ShortTag() == "!!merge" {
			return nil, errf(k, "YAML merge keys (<<) are not supported in %s; write the keys out", where)
		}
		if k.Kind != yaml.ScalarNode || IsNull(k) {
			return nil, errf(k, "keys in %s must be plain names", where)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, duplicate(k, first)
		}
		seen[k.Value] = k
		pairs = append(pairs, Pair{Key: k.Value, KeyNode: k, Value: v})
	}
	return pairs, nil
}

// At is where n stands in file, for messages: "FILE:LINE", or FILE alone
// when n has no line (a node built in code rather than parsed).
func At(file string, n *yaml.Node) string {
	if n == nil || n.Line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, n.Line)
}

// Usagef returns a usage error "AT: message": a malformed file is the
// user's to fix, and the location leads every such message.
func Usagef(at, format string, args ...any) error {
	return clierr.Usagef("%s: %s", at, fmt.Sprintf(format, args...))
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// SyntaxError rewrites a yaml.v3 parse error ("yaml: line 3: ...") as a
// usage error "FILE:LINE: invalid YAML: ...", the form every other decoding
// error has; an error without a line is located at the file.
func SyntaxError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return clierr.Usagef("%s:%s: invalid YAML: %s", file, m[1], m[2])
	}
	return clierr.Usagef("%s: invalid YAML: %s", file, strings.TrimPrefix(msg, "yaml: "))
}
