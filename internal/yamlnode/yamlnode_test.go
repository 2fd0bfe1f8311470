package yamlnode

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
)

// parse returns the root of one YAML document, for the tests.
func parse(t *testing.T, src string) *yaml.Node {
	t.Helper()
	root, second, err := Document("f.yml", []byte(src))
	if err != nil || second != nil || root == nil {
		t.Fatalf("Document(%q) = %v, %v, %v", src, root, second, err)
	}
	return root
}

func TestPairs(t *testing.T) {
	errf := func(n *yaml.Node, format string, args ...any) error {
		return Usagef(At("f.yml", n), format, args...)
	}
	dup := func(k, first *yaml.Node) error {
		return errf(k, "duplicate %s (first at line %d)", k.Value, first.Line)
	}
	tests := []struct {
		src     string
		want    string // keys joined by ","
		wantErr string
	}{
		{src: "a: 1\nb: 2\n", want: "a,b"},
		{src: "x: &v 1\na: *v\n", want: "x,a"},
		{src: "{}", want: ""},
		{src: "a: 1\na: 2\n", wantErr: "f.yml:2: duplicate a (first at line 1)"},
		{src: "base: &b {x: 1}\n<<: *b\n", wantErr: "f.yml:2: YAML merge keys (<<) are not supported in m; write the keys out"},
		{src: "[a]: 1\n", wantErr: "f.yml:1: keys in m must be plain names"},
		{src: "~: 1\n", wantErr: "f.yml:1: keys in m must be plain names"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			ps, err := Pairs(parse(t, tt.src), "m", errf, dup)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !clierr.IsUsage(err) {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, p := range ps {
				if p.Key != p.KeyNode.Value || p.Value.Kind == yaml.AliasNode {
					t.Errorf("pair %+v: key or alias not resolved", p)
				}
				keys = append(keys, p.Key)
			}
			if got := strings.Join(keys, ","); got != tt.want {
				t.Errorf("keys = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		src        string
		wantRoot   bool
		wantSecond int // line of the second document, 0 for none
		wantErr    string
	}{
		{src: "a: 1\n", wantRoot: true},
		{src: "", wantRoot: false},
		{src: "a: 1\n---\nb: 2\n", wantSecond: 2},
		{src: "a: [1\n", wantErr: "f.yml:1: invalid YAML: did not find expected ',' or ']'"},
		{src: "a: 1\n---\nb: [\n", wantErr: "f.yml:3: invalid YAML: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			root, second, err := Document("f.yml", []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || !clierr.IsUsage(err) {
					t.Fatalf("err = %v, want usage error starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (root != nil) != tt.wantRoot {
				t.Errorf("root = %v, want present %v", root, tt.wantRoot)
			}
			if line := 0; second != nil {
				line = second.Line
				if line != tt.wantSecond {
					t.Errorf("second at line %d, want %d", line, tt.wantSecond)
				}
			} else if tt.wantSecond != 0 {
				t.Errorf("no second document, want one at line %d", tt.wantSecond)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	alias := &yaml.Node{Kind: yaml.AliasNode, Alias: &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 3}}
	tests := []struct {
		name, got, want string
	}{
		{"Deref+IsNull", fmt.Sprint(IsNull(Deref(alias)), IsNull(alias), IsNull(nil)), "true false true"},
		{"At line", At("f.yml", alias.Alias), "f.yml:3"},
		{"At no line", At("f.yml", &yaml.Node{}), "f.yml"},
		{"At nil", At("f.yml", nil), "f.yml"},
		{"SyntaxError no line", SyntaxError("f.yml", errors.New("yaml: bad thing")).Error(), "f.yml: invalid YAML: bad thing"},
		{"Usagef", Usagef("f.yml:3", "x is %d", 1).Error(), "f.yml:3: x is 1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
