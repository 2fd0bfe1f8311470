package pipeline

import (
	"encoding/json"
	"testing"
)

func TestRenderLiteral(t *testing.T) {
	cases := []struct {
		typ  string
		v    any
		want string
	}{
		{"boolean", true, "True"},
		{"Boolean", false, "False"},
		{"boolean", "true", "true"}, // an invocation's string passes through
		{"string", true, "True"},
		{"number", 0.3, "0.3"},
		{"number", 1, "1.0"},
		{"number", 1.0, "1.0"},
		{"number", 1e-05, "1e-05"},
		{"number", 0.0001, "0.0001"},
		{"number", 1e16, "1e+16"},
		{"number", 123456789012345.0, "123456789012345.0"},
		{"number", json.Number("2"), "2.0"},
		{"number", json.Number("2.50"), "2.5"},
		{"integer", 5, "5"},
		{"integer", 5.0, "5"},
		{"integer", json.Number("7"), "7"},
		{"integer", "42", "42"},
		{"string", "append", "append"},
		{"string", 3, "3"},
		{"string", 0.5, "0.5"},
	}
	for _, c := range cases {
		got, err := RenderLiteral(c.typ, c.v)
		if err != nil || got != c.want {
			t.Errorf("RenderLiteral(%q, %#v) = %q, %v; want %q", c.typ, c.v, got, err, c.want)
		}
	}
}

func TestRenderLiteralRefusesMismatches(t *testing.T) {
	cases := []struct {
		typ string
		v   any
	}{
		{"integer", 2.5},
		{"integer", "two"},
		{"number", "fast"},
		{"boolean", "yes"},
		{"boolean", 1},
		{"integer", true},
		{"string", nil},
		{"string", []string{"a"}},
	}
	for _, c := range cases {
		if got, err := RenderLiteral(c.typ, c.v); err == nil {
			t.Errorf("RenderLiteral(%q, %#v) = %q, want an error", c.typ, c.v, got)
		}
	}
}
