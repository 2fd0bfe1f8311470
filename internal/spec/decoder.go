package spec

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// commandLine names the YAML "file" when no --file was given and every key
// comes from flags.
const commandLine = "(command line)"

// decoder turns a YAML tree into values, locating every error at the file
// and line of the node, or at the override (--set KEY, --name) that put the
// node there.
type decoder struct {
	// ctx bounds the reads of the files the tree names (a pipeline's child
	// component files): the command's context, so Ctrl-C stops them.
	ctx context.Context
	// file is the path shown in errors.
	file string
	// baseDir is the folder relative paths resolve against: the YAML
	// file's folder, else the current directory.
	baseDir string
	// origin names the override that created a node.
	origin map[*yaml.Node]string
	// notes collects what was accepted but will not be sent (see Notes).
	notes []string
	// stored is set when the tree is a document the service (or the local
	// workspace) stores rather than a file a user wrote: the REST forms of
	// pipeline nodes are accepted, scalars the service stringified
	// ("False", "10.99") read as their type, and no local path is checked.
	stored bool
}

// at is where n came from, for messages.
func (d *decoder) at(n *yaml.Node) string {
	if o, ok := d.origin[n]; ok {
		return o
	}
	return yamlnode.At(d.file, n)
}

// errf returns a usage error located at n.
func (d *decoder) errf(n *yaml.Node, format string, args ...any) error {
	return yamlnode.Usagef(d.at(n), format, args...)
}

// wrapErr locates err (about a file that key of n names) at n, keeping
// it for errors.As: "FILE:LINE: key: err".
func (d *decoder) wrapErr(n *yaml.Node, key string, err error) error {
	return &clierr.UsageError{Err: fmt.Errorf("%s: %s: %w", d.at(n), key, err)}
}

// note records something accepted but not acted on, located at n.
func (d *decoder) note(n *yaml.Node, format string, args ...any) {
	d.notes = append(d.notes, fmt.Sprintf("%s: %s", d.at(n), fmt.Sprintf(format, args...)))
}

// readTree reads the YAML at path (a file holding one mapping, or
// standard input for "-") into a tree, within yamlnode's limits. An empty
// path gives an empty mapping: every key then comes from flags. Relative
// paths in the YAML resolve against the file's folder, or the current
// directory for flags and standard input.
func readTree(ctx context.Context, path string, stdin io.Reader, what string) (root *yaml.Node, file, baseDir string, err error) {
	if path == "" || path == yamlnode.Stdin {
		wd, err := os.Getwd()
		if err != nil {
			return nil, "", "", fmt.Errorf("current directory: %w", err)
		}
		if path == "" {
			return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, commandLine, wd, nil
		}
		data, err := yamlnode.ReadFile(ctx, path, stdin)
		if err != nil {
			return nil, "", "", err
		}
		root, err = parseTree(yamlnode.StdinName, data, what)
		return root, yamlnode.StdinName, wd, err
	}
	data, err := yamlnode.ReadFile(ctx, path, stdin)
	if err != nil {
		return nil, "", "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", "", fmt.Errorf("resolve %s: %w", path, err)
	}
	root, err = parseTree(path, data, what)
	if err != nil {
		return nil, "", "", err
	}
	return root, path, filepath.Dir(abs), nil
}

// parseTree parses data (one YAML document holding a mapping).
func parseTree(file string, data []byte, what string) (*yaml.Node, error) {
	root, second, err := yamlnode.Document(file, data)
	switch {
	case err != nil:
		return nil, err
	case second != nil:
		return nil, clierr.Usagef("%s:%d: a second YAML document; put the %s in one document (remove the ---)", file, second.Line, what)
	case root == nil:
		return nil, clierr.Usagef("%s: the file is empty; write the %s as a YAML mapping (name: ..., ...)", file, what)
	}
	if yamlnode.IsNull(root) {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, clierr.Usagef("%s:%d: the %s must be a YAML mapping (name: ..., ...), not %s", file, root.Line, what, kindName(root))
	}
	return root, nil
}

// kindName says what a node is, for "must be X, not Y" messages. It is not
// invocation's kindName: the wording differs and tests assert each.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		case "!!int":
			return "a number (" + n.Value + ")"
		case "!!float":
			return "a number (" + n.Value + ")"
		}
		return fmt.Sprintf("the text %q", n.Value)
	}
	return "a YAML value of another kind"
}

// object is a mapping checked against the keys its schema allows.
type object struct {
	d     *decoder
	n     *yaml.Node
	where string
	vals  map[string]*yaml.Node
	keys  map[string]*yaml.Node
}

// pairs checks that n is a mapping and returns its entries in order (see
// yamlnode.Pairs). where names the mapping in messages.
func (d *decoder) pairs(n *yaml.Node, where string) ([]yamlnode.Pair, error) {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.errf(n, "%s must be a mapping (key: value lines), not %s", where, kindName(n))
	}
	return yamlnode.Pairs(n, where, d.errf, func(k, first *yaml.Node) error {
		return d.errf(k, "duplicate key %q in %s (first at %s); keep one", k.Value, where, d.at(first))
	})
}

// object checks that n is a mapping whose keys are all in valid, with no
// duplicates. where names the mapping in messages ("settings", "the
// endpoint").
func (d *decoder) object(n *yaml.Node, where string, valid []string) (*object, error) {
	ps, err := d.pairs(n, where)
	if err != nil {
		return nil, err
	}
	o := &object{d: d, n: yamlnode.Deref(n), where: where, vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	for _, p := range ps {
		if !contains(valid, p.Key) {
			return nil, d.errf(p.KeyNode, "unknown key %q in %s; valid keys: %s", p.Key, where, strings.Join(sorted(valid), ", "))
		}
		o.keys[p.Key] = p.KeyNode
		o.vals[p.Key] = p.Value
	}
	return o, nil
}

// node is the value of key, nil when absent or null (YAML "key:" with no
// value means "not set", as it does for az's optional fields).
func (o *object) node(key string) *yaml.Node {
	v := o.vals[key]
	if yamlnode.IsNull(v) {
		return nil
	}
	return v
}

// has reports whether key is set to a non-null value.
func (o *object) has(key string) bool { return o.node(key) != nil }

// path is the dotted name of key, for messages.
func (o *object) path(key string) string {
	if o.where == "" || strings.HasPrefix(o.where, "the ") {
		return key
	}
	return o.where + "." + key
}

// require returns a missing-key error when key is not set; hint says how
// to set it.
func (o *object) require(key, hint string) error {
	if o.has(key) {
		return nil
	}
	at := o.n
	if k, ok := o.keys[key]; ok {
		at = k
	}
	return o.d.errf(at, "missing required key %q in %s; %s", key, o.where, hint)
}

// str reads an optional string.
func (o *object) str(key string) (string, error) {
	n := o.node(key)
	if n == nil {
		return "", nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!str" {
		return "", o.d.errf(n, "%s must be text, not %s; to mean the text, quote it: %s: \"%s\"", o.path(key), kindName(n), key, n.Value)
	}
	if n.Kind != yaml.ScalarNode {
		return "", o.d.errf(n, "%s must be text, not %s", o.path(key), kindName(n))
	}
	return n.Value, nil
}

// version reads an asset version: text, or a number written without quotes
// (az's VersionField accepts both).
func (o *object) version(key string) (string, error) {
	n := o.node(key)
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		return "", o.d.errf(n, "%s must be a version such as 1 or \"2024-01\", not %s", o.path(key), kindName(n))
	}
	return n.Value, nil
}

// integer reads an optional integer within [lo, hi]. Like marshmallow's
// Int, a quoted number ("5", as --set gives) and an integral float are
// accepted.
func (o *object) integer(key string, lo, hi int64) (*int64, error) {
	n := o.node(key)
	if n == nil {
		return nil, nil
	}
	v, ok := parseInteger(n)
	if !ok {
		return nil, o.d.errf(n, "%s must be a whole number, not %s", o.path(key), kindName(n))
	}
	if v < lo || v > hi {
		return nil, o.d.errf(n, "%s must be between %d and %d, not %d", o.path(key), lo, hi, v)
	}
	return &v, nil
}

// int32 reads an optional integer that fits the ARM int32 fields.
func (o *object) int32(key string, lo int64) (*int32, error) {
	v, err := o.integer(key, lo, 1<<31-1)
	if v == nil || err != nil {
		return nil, err
	}
	i := int32(*v)
	return &i, nil
}

// enum reads an optional string that must be one of allowed (compared
// case-insensitively, with '-' and '_' ignored, as az's
// StringTransformedEnum is lenient about case) and returns the canonical
// spelling from allowed.
func (o *object) enum(key string, allowed []string) (string, error) {
	s, err := o.str(key)
	if s == "" || err != nil {
		return "", err
	}
	if c, ok := canonicalEnum(s, allowed); ok {
		return c, nil
	}
	return "", o.d.errf(o.node(key), "%s: %q is not allowed; use one of: %s", o.path(key), s, strings.Join(allowed, ", "))
}

func canonicalEnum(s string, allowed []string) (string, bool) {
	squash := func(x string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(x)) }
	for _, a := range allowed {
		if squash(a) == squash(s) {
			return a, true
		}
	}
	return "", false
}

// strMap reads a mapping of scalar values (tags, properties, environment
// variables) as strings: ARM carries them as string maps, so a number or
// boolean is sent as written.
func (o *object) strMap(key string) (map[string]string, error) {
	n := o.node(key)
	if n == nil {
		return nil, nil
	}
	ps, err := o.d.pairs(n, o.path(key))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range ps {
		switch {
		case yamlnode.IsNull(p.Value):
			out[p.Key] = ""
		case p.Value.Kind == yaml.ScalarNode:
			out[p.Key] = p.Value.Value
		default:
			return nil, o.d.errf(p.Value, "%s.%s must be a single value (text or number), not %s", o.path(key), p.Key, kindName(p.Value))
		}
	}
	return out, nil
}

// anyMap reads a free-form mapping (resources.properties) as JSON-ready
// values.
func (o *object) anyMap(key string) (map[string]any, error) {
	n := o.node(key)
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, o.d.errf(n, "%s must be a mapping, not %s", o.path(key), kindName(n))
	}
	var out map[string]any
	if err := n.Decode(&out); err != nil {
		return nil, o.d.errf(n, "%s: %v", o.path(key), err)
	}
	return out, nil
}

// parseInteger reads an int, a quoted int or an integral float.
func parseInteger(n *yaml.Node) (int64, bool) {
	if n.Kind != yaml.ScalarNode {
		return 0, false
	}
	switch n.ShortTag() {
	case "!!int", "!!str":
		var v int64
		if err := (&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strings.TrimSpace(n.Value)}).Decode(&v); err == nil {
			return v, true
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && f == float64(int64(f)) {
			return int64(f), true
		}
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}
