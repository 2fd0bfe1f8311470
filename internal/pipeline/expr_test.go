package pipeline

import (
	"strings"
	"testing"
)

func lookupFrom(values map[string]string) portLookup {
	return func(kind, name string) (string, bool, error) {
		v, ok := values[kind+"."+name]
		return v, ok, nil
	}
}

func TestRenderCommandOptionalBlocks(t *testing.T) {
	lookup := lookupFrom(map[string]string{
		"inputs.data":      "/d",
		"inputs.encoding":  "ordinal",
		"outputs.prepared": "/out",
	})
	cases := []struct{ command, want string }{
		{"python prep.py --data ${{inputs.data}} --out ${{outputs.prepared}}", "python prep.py --data /d --out /out"},
		{"python prep.py $[[--encoding ${{inputs.encoding}}]] x", "python prep.py --encoding ordinal x"},
		{"python prep.py $[[--transforms ${{inputs.transforms}}]] x", "python prep.py  x"},
		{"a $[[b ${{inputs.data}} ${{inputs.transforms}}]]c", "a c"},
		{"a $[[--flag]] ${{ inputs.data }}", "a --flag /d"},
	}
	for _, c := range cases {
		got, err := renderCommand(c.command, lookup)
		if err != nil || got != c.want {
			t.Errorf("renderCommand(%q) = %q, %v; want %q", c.command, got, err, c.want)
		}
	}
}

func TestRenderCommandErrors(t *testing.T) {
	lookup := lookupFrom(map[string]string{"inputs.data": "/d"})
	cases := []struct{ command, want string }{
		{"python x.py --t ${{inputs.transforms}}", "outside a $[[...]] block"},
		{"python x.py $[[--t ${{inputs.data}}", "without closing it"},
		{"a $[[ b $[[ c ]] ]]", "nests"},
		{"a ${{parent.inputs.data}}", "commands can use ${{inputs.<name>}}"},
		{"a ${{search_space.lr}}", "commands can use"},
	}
	for _, c := range cases {
		_, err := renderCommand(c.command, lookup)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("renderCommand(%q) error = %v, want it to contain %q", c.command, err, c.want)
		}
	}
}

func TestParseRef(t *testing.T) {
	cases := []struct {
		in   string
		want ref
	}{
		{"${{parent.inputs.input_data}}", ref{kind: refParentInput, name: "input_data"}},
		{" ${{ parent.outputs.scores }} ", ref{kind: refParentOutput, name: "scores"}},
		{"${{parent.jobs.prep.outputs.prepared_data}}", ref{kind: refStepOutput, step: "prep", name: "prepared_data"}},
		{"${{parent.inputs.group.sub}}", ref{kind: refParentInput, name: "group.sub"}},
	}
	for _, c := range cases {
		got, ok, err := parseRef(c.in)
		if err != nil || !ok || got != c.want {
			t.Errorf("parseRef(%q) = %+v, %v, %v; want %+v", c.in, got, ok, err, c.want)
		}
	}
	if _, ok, err := parseRef("plain"); ok || err != nil {
		t.Errorf("parseRef(plain) = %v, %v; want no reference", ok, err)
	}
	for _, bad := range []string{"${{parent.jobs.a.inputs.x}}", "prefix-${{parent.inputs.x}}", "${{inputs.x}}"} {
		if _, _, err := parseRef(bad); err == nil {
			t.Errorf("parseRef(%q): want an error", bad)
		}
	}
}
