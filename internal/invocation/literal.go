package invocation

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// scalarKind is the YAML type a literal was written as. It decides the
// literal's type in the scalar shorthand (`threshold: 0.5`) and how the
// value is rendered, because az renders it with Python's str().
type scalarKind int

const (
	kindString scalarKind = iota
	kindBool
	kindInt
	kindFloat
)

// scalar is one literal value before canonicalisation. --set values are
// always kindString; YAML values keep the kind they resolved to.
type scalar struct {
	kind scalarKind
	str  string
	b    bool
	i    int64
	f    float64
}

func stringScalar(s string) scalar { return scalar{kind: kindString, str: s} }

// literalType is the input type az gives a scalar shorthand value. Bool is
// tested before int, as in az (in Python a bool is also an int).
func (s scalar) literalType() string {
	switch s.kind {
	case kindBool:
		return TypeBoolean
	case kindInt:
		return TypeInteger
	case kindFloat:
		return TypeNumber
	}
	return TypeString
}

// pyStr is Python's str() of the value az would hold, which is what the
// SDK's msrest model puts on the wire for a Literal's string value.
func (s scalar) pyStr() string {
	switch s.kind {
	case kindBool:
		return pyBool(s.b)
	case kindInt:
		return strconv.FormatInt(s.i, 10)
	case kindFloat:
		return pyFloatRepr(s.f)
	}
	return s.str
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// CanonicalLiteral renders text, the value of a literal input of type typ
// (string, integer, number, boolean, lower case) written as text, as az
// sends it: number "2" is "2.0", boolean "true" is "True". The local
// workspace renders component defaults with it. The error text completes
// "value X ...".
func CanonicalLiteral(typ, text string) (string, error) {
	return canonicalLiteral(typ, stringScalar(text))
}

// canonicalLiteral renders a value of a literal input of type typ to the
// string az sends, mirroring the SDK's Input conversion (integer via
// int(float(v)), number via float(v), boolean via "true"/"false") followed by
// Python's str(). Where Python would silently lose information (int(5.7) is
// 5) we refuse instead. The error text completes "value X ...".
func canonicalLiteral(typ string, s scalar) (string, error) {
	switch typ {
	case TypeString, TypeLiteral:
		return s.pyStr(), nil
	case TypeBoolean:
		switch s.kind {
		case kindBool:
			return pyBool(s.b), nil
		case kindString:
			switch strings.ToLower(strings.TrimSpace(s.str)) {
			case "true":
				return "True", nil
			case "false":
				return "False", nil
			}
		}
		return "", fmt.Errorf("value %s is not a boolean; use true or false", quote(s.pyStr()))
	case TypeInteger:
		switch s.kind {
		case kindInt:
			return strconv.FormatInt(s.i, 10), nil
		case kindFloat:
			if i, ok := wholeFloat(s.f); ok {
				return strconv.FormatInt(i, 10), nil
			}
		case kindString:
			t := strings.TrimSpace(s.str)
			if i, err := strconv.ParseInt(t, 10, 64); err == nil {
				return strconv.FormatInt(i, 10), nil
			}
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				if i, ok := wholeFloat(f); ok {
					return strconv.FormatInt(i, 10), nil
				}
			}
		}
		return "", fmt.Errorf("value %s is not an integer; use a whole number such as 5", quote(s.pyStr()))
	case TypeNumber:
		var f float64
		switch s.kind {
		case kindInt:
			f = float64(s.i)
		case kindFloat:
			f = s.f
		case kindString:
			v, err := strconv.ParseFloat(strings.TrimSpace(s.str), 64)
			if err != nil {
				return "", fmt.Errorf("value %s is not a number; use a decimal number such as 0.5", quote(s.str))
			}
			f = v
		default:
			return "", fmt.Errorf("value %s is not a number; use a decimal number such as 0.5", quote(s.pyStr()))
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Errorf("value %s is not a finite number", quote(s.pyStr()))
		}
		return pyFloatRepr(f), nil
	}
	return "", fmt.Errorf("type %s takes no literal value", quote(typ))
}

// wholeFloat converts f to an int64 when it has no fractional part and fits.
func wholeFloat(f float64) (int64, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// pyFloatRepr formats f as Python's repr(float) does: the shortest digits
// that round-trip, fixed notation for decimal exponents -5 < e < 16 with at
// least one fractional digit ("5.0"), scientific otherwise with a signed
// two-digit exponent ("1e-05", "1e+16").
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// Go's shortest 'e' formatting yields the same digits as Python's repr.
	mant, expText, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	exp, _ := strconv.Atoi(expText)
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	var b strings.Builder
	b.WriteString(sign)
	switch {
	case exp < -4 || exp >= 16:
		b.WriteString(digits[:1])
		if len(digits) > 1 {
			b.WriteString("." + digits[1:])
		}
		expSign := "+"
		if exp < 0 {
			expSign, exp = "-", -exp
		}
		fmt.Fprintf(&b, "e%s%02d", expSign, exp)
	case exp >= 0:
		if len(digits) <= exp+1 {
			b.WriteString(digits + strings.Repeat("0", exp+1-len(digits)) + ".0")
		} else {
			b.WriteString(digits[:exp+1] + "." + digits[exp+1:])
		}
	default:
		b.WriteString("0." + strings.Repeat("0", -exp-1) + digits)
	}
	return b.String()
}

// checkLiteralRange checks min <= value <= max for integer and number
// literals; all three are canonical strings, empty when unset. The error
// text is a sentence about the bounds.
func checkLiteralRange(typ, value, min, max string) error {
	if min == "" && max == "" {
		return nil
	}
	parse := func(s string) float64 {
		f, _ := strconv.ParseFloat(s, 64) // canonical strings always parse
		return f
	}
	if typ == TypeInteger {
		parseInt := func(s string) int64 { i, _ := strconv.ParseInt(s, 10, 64); return i }
		switch {
		case min != "" && max != "" && parseInt(min) > parseInt(max):
			return fmt.Errorf("min %s is greater than max %s", min, max)
		case value != "" && min != "" && parseInt(value) < parseInt(min):
			return fmt.Errorf("value %s is below min %s", value, min)
		case value != "" && max != "" && parseInt(value) > parseInt(max):
			return fmt.Errorf("value %s is above max %s", value, max)
		}
		return nil
	}
	switch {
	case min != "" && max != "" && parse(min) > parse(max):
		return fmt.Errorf("min %s is greater than max %s", min, max)
	case value != "" && min != "" && parse(value) < parse(min):
		return fmt.Errorf("value %s is below min %s", value, min)
	case value != "" && max != "" && parse(value) > parse(max):
		return fmt.Errorf("value %s is above max %s", value, max)
	}
	return nil
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
