package yamlnode

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
)

// fuzzLimits are small so that the naive expansion below, which the
// walker must agree with, stays cheap.
var fuzzLimits = Limits{MaxBytes: 4096, MaxDocuments: 4, MaxDepth: 8, MaxNodes: 500, MaxText: 2000}

// FuzzBoundedParse: no input makes Parse panic or fail with anything but a
// usage error, and whatever it accepts is within its limits when every
// alias is expanded by hand.
func FuzzBoundedParse(f *testing.F) {
	for _, s := range []string{
		aliasBomb(3), "a: &a [1, *a]\n", "a: &a {b: *a}", "[[[[[[[[[1]]]]]]]]]", "a: 1\n---\nb: 2\n---\n---\n",
		"base: &b {x: 1}\nuse: [*b, *b]\n", "a: &a xxxxxxxxxx\nb: [*a, *a, *a]\n", "<<: *x", "? [a]\n: 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := fuzzLimits.Parse("f.yml", data)
		if err != nil {
			if !clierr.IsUsage(err) {
				t.Fatalf("error is not a usage error: %T %v", err, err)
			}
			return
		}
		if len(docs) > fuzzLimits.MaxDocuments {
			t.Fatalf("%d documents accepted, limit %d", len(docs), fuzzLimits.MaxDocuments)
		}
		var e expansion
		for _, d := range docs {
			e.expand(d, 1)
		}
		if e.over {
			t.Fatalf("accepted input over its limits when expanded: %+v", e)
		}
	})
}

// expansion expands aliases naively, stopping as soon as a limit is
// passed.
type expansion struct {
	nodes, text int64
	over        bool
}

func (e *expansion) expand(n *yaml.Node, depth int) {
	if e.over {
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	e.nodes++
	e.text += int64(len(n.Value))
	if depth > fuzzLimits.MaxDepth || e.nodes > fuzzLimits.MaxNodes || e.text > fuzzLimits.MaxText {
		e.over = true
		return
	}
	for _, c := range n.Content {
		e.expand(c, depth+1)
	}
}
