package yamlnode

import (
	"bytes"
	"errors"
	"io"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/output"
)

// Parse parses data (named file in errors) into its documents within
// DefaultLimits. See Limits.Parse.
func Parse(file string, data []byte) ([]*yaml.Node, error) { return DefaultLimits.Parse(file, data) }

// Parse parses data into its documents (their roots; none for empty input)
// and checks them against l: size, document count, depth and the nodes and
// text they hold once aliases are expanded. Aliases stay aliases (Deref
// follows them); an alias inside the value it names is refused, as
// yaml.v3's decoder refuses it. A parse error is a SyntaxError.
func (l Limits) Parse(file string, data []byte) ([]*yaml.Node, error) {
	return l.parse(file, data, l.MaxDocuments)
}

// parse parses at most maxDocs documents; a further one is a LimitError
// when maxDocs is l.MaxDocuments, else it is returned unchecked as the last
// element (Document reports it).
func (l Limits) parse(file string, data []byte, maxDocs int) (docs []*yaml.Node, err error) {
	if int64(len(data)) > l.MaxBytes {
		return nil, sizeError(file, l.MaxBytes)
	}
	defer func() {
		// yaml.v3 turns its own failures into errors; anything else it
		// panics with is a bug in it, reported as invalid YAML rather than
		// a crash on a user's file.
		if p := recover(); p != nil {
			docs, err = nil, clierr.Usagef("%s: invalid YAML: the YAML parser failed (%v)", file, p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	w := walker{file: file, l: l, memo: map[*yaml.Node]cost{}, open: map[*yaml.Node]bool{}}
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, SyntaxError(file, err)
		}
		if len(docs) == maxDocs {
			if maxDocs == l.MaxDocuments {
				at := &doc
				if len(doc.Content) > 0 {
					at = doc.Content[0]
				}
				return nil, limitError(At(file, at), "documents", int64(l.MaxDocuments),
					"more than %d YAML documents (separated by ---), the most ml reads from one file", l.MaxDocuments)
			}
			return append(docs, &doc), nil
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if _, err := w.visit(root, 1); err != nil {
			return nil, err
		}
		docs = append(docs, root)
	}
}

// Document parses data as exactly one YAML document within DefaultLimits
// and returns its root, aliases resolved. A parse error is returned as
// SyntaxError. root is nil when data holds no document, and second is the
// start of a second document when there is one: both are errors, but each
// package words them (and says what the file should hold) itself.
func Document(file string, data []byte) (root, second *yaml.Node, err error) {
	docs, err := DefaultLimits.parse(file, data, 1)
	switch {
	case err != nil:
		return nil, nil, err
	case len(docs) == 0:
		return nil, nil, nil
	case len(docs) == 2:
		return nil, docs[1], nil
	}
	return Deref(docs[0]), nil, nil
}

// Unmarshal decodes the one YAML document in data into v, within
// DefaultLimits: the bounded yaml.Unmarshal. Empty data leaves v alone; a
// second document is an error.
func Unmarshal(file string, data []byte, v any) error {
	root, second, err := Document(file, data)
	switch {
	case err != nil:
		return err
	case second != nil:
		return clierr.Usagef("%s: a second YAML document; put everything in one document (remove the ---)", At(file, second))
	case root == nil:
		return nil
	}
	if err := root.Decode(v); err != nil {
		return decodeError(file, err)
	}
	return nil
}

var typeErrorLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// decodeError words the first of yaml.v3's "unmarshal errors" (a value of
// the wrong type) as "FILE:LINE: message".
func decodeError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := typeErrorLineRE.FindStringSubmatch(te.Errors[0]); m != nil {
			return clierr.Usagef("%s:%s: %s", file, m[1], m[2])
		}
		return clierr.Usagef("%s: %s", file, te.Errors[0])
	}
	return SyntaxError(file, err)
}

// cost is what a node expands to: its nodes, its scalar text and its
// height (1 for a scalar).
type cost struct {
	nodes, text int64
	height      int
}

// walker measures documents with aliases expanded. memo makes it linear in
// the parsed nodes (an alias costs what its target cost, looked up once);
// open holds the nodes being measured, so an alias to one of them is a
// cycle.
type walker struct {
	file string
	l    Limits
	memo map[*yaml.Node]cost
	open map[*yaml.Node]bool
	// total is the cost of the documents so far.
	total cost
}

// visit measures n at depth (the root is at 1) and adds it to the totals
// when it is a document root (depth 1).
func (w *walker) visit(n *yaml.Node, depth int) (cost, error) {
	c, err := w.measure(n, depth)
	if err != nil {
		return cost{}, err
	}
	if depth == 1 {
		w.total.nodes += c.nodes
		w.total.text += c.text
		if err := w.check(n, w.total, 0); err != nil {
			return cost{}, err
		}
	}
	return c, nil
}

// measure returns the cost of n at depth. Errors are located at n as
// written: an alias, not what it names.
func (w *walker) measure(n *yaml.Node, depth int) (cost, error) {
	at := n
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		target := n.Alias
		if w.open[target] {
			return cost{}, limitError(At(w.file, n), "alias cycle", 0,
				"the alias *%s is inside the value it names (&%s), so it never ends; write the value out", n.Value, target.Anchor)
		}
		n = target
	}
	if depth > w.l.MaxDepth {
		return cost{}, w.depthError(at)
	}
	if c, ok := w.memo[n]; ok {
		return c, w.check(at, c, depth)
	}
	c := cost{nodes: 1, text: int64(len(n.Value)), height: 1}
	w.open[n] = true
	for _, child := range n.Content {
		cc, err := w.measure(child, depth+1)
		if err != nil {
			return cost{}, err
		}
		c.nodes += cc.nodes
		c.text += cc.text
		c.height = max(c.height, cc.height+1)
		if err := w.check(n, c, depth); err != nil {
			return cost{}, err
		}
	}
	delete(w.open, n)
	w.memo[n] = c
	return c, nil
}

// check refuses c, the cost of n found at depth, when it is over a limit.
func (w *walker) check(n *yaml.Node, c cost, depth int) error {
	switch {
	case depth+c.height-1 > w.l.MaxDepth:
		return w.depthError(n)
	case c.nodes > w.l.MaxNodes:
		return limitError(w.file, "nodes", w.l.MaxNodes,
			"holds more than %s values once its aliases (*name) are expanded, the most ml reads from a YAML file; write fewer aliases or a smaller file",
			count(w.l.MaxNodes))
	case c.text > w.l.MaxText:
		return limitError(w.file, "text", w.l.MaxText,
			"holds more than %s of text once its aliases (*name) are expanded, the most ml reads from a YAML file; write fewer aliases or shorter values",
			output.Bytes(w.l.MaxText))
	}
	return nil
}

func (w *walker) depthError(n *yaml.Node) error {
	return limitError(At(w.file, n), "depth", int64(w.l.MaxDepth),
		"nested more than %d levels deep (aliases followed), the most ml reads from a YAML file; flatten it", w.l.MaxDepth)
}
