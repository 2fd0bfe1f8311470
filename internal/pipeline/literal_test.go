package pipeline

import "testing"

func TestCheckLiteral(t *testing.T) {
	good := []struct{ typ, v string }{
		{"boolean", "True"}, {"Boolean", "false"}, {"number", "0.3"}, {"number", "1e-05"}, {"number", "2"},
		{"integer", "42"}, {"integer", " 7 "}, {"string", "anything"}, {"String", ""},
	}
	for _, c := range good {
		if err := checkLiteral(c.typ, c.v); err != nil {
			t.Errorf("checkLiteral(%q, %q) = %v", c.typ, c.v, err)
		}
	}
	bad := []struct{ typ, v string }{
		{"integer", "2.5"}, {"integer", "two"}, {"number", "fast"}, {"boolean", "yes"}, {"boolean", "1"},
	}
	for _, c := range bad {
		if err := checkLiteral(c.typ, c.v); err == nil {
			t.Errorf("checkLiteral(%q, %q) = nil, want an error", c.typ, c.v)
		}
	}
}
