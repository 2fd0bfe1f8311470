package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RenderLiteral renders a literal value the way Azure ML hands it to a
// command: the Python SDK sends every literal as str(value), so booleans
// are True/False, a number input is a float (0.3, 1.0, 1e-05) and an
// integer input an integer. Strings pass through unchanged (an invocation's
// literals arrive as strings already); for integer, number and boolean
// ports they must parse as such.
//
// portType is the declared type (any case); v is what YAML or JSON decoding
// produced: string, bool, int, int64, float64 or json.Number.
func RenderLiteral(portType string, v any) (string, error) {
	typ := strings.ToLower(portType)
	switch x := v.(type) {
	case string:
		return x, checkLiteralString(typ, x)
	case bool:
		if typ != "boolean" && typ != "string" {
			return "", fmt.Errorf("%v is a boolean, not %s", x, article(typ))
		}
		if x {
			return "True", nil
		}
		return "False", nil
	case int:
		return renderInt(typ, int64(x))
	case int64:
		return renderInt(typ, x)
	case float64:
		return renderFloat(typ, x)
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return renderInt(typ, i)
		}
		f, err := x.Float64()
		if err != nil {
			return "", fmt.Errorf("%s is not a number", x)
		}
		return renderFloat(typ, f)
	case nil:
		return "", fmt.Errorf("no value")
	}
	return "", fmt.Errorf("%v (%T) is not a literal: use a string, number or boolean", v, v)
}

func renderInt(typ string, i int64) (string, error) {
	switch typ {
	case "number":
		return pythonFloat(float64(i)), nil
	case "boolean":
		return "", fmt.Errorf("%d is a number, not a boolean (use true or false)", i)
	}
	return strconv.FormatInt(i, 10), nil
}

func renderFloat(typ string, f float64) (string, error) {
	switch typ {
	case "integer":
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("%s is not an integer", pythonFloat(f))
		}
		return strconv.FormatInt(int64(f), 10), nil
	case "boolean":
		return "", fmt.Errorf("%s is a number, not a boolean (use true or false)", pythonFloat(f))
	}
	return pythonFloat(f), nil
}

// pythonFloat is Python's repr of a float: the shortest digits that round
// trip, positional from 1e-4 up to 1e16 (always with a decimal point),
// scientific with a two-digit exponent otherwise.
func pythonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if f == 0 || (exp >= -4 && exp < 16) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return mant + "e" + expText
}

func checkLiteralString(typ, v string) error {
	s := strings.TrimSpace(v)
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
	case "number":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
	case "boolean":
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			return fmt.Errorf("%q is not a boolean: use true or false", v)
		}
	}
	return nil
}

func article(typ string) string {
	if typ == "integer" {
		return "an integer"
	}
	return "a " + typ
}
