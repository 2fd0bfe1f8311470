package invocation

import (
	"math"
	"strings"
	"testing"
)

func TestPyFloatRepr(t *testing.T) {
	// Expected values are what CPython's repr(float) prints.
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{0.5, "0.5"},
		{5, "5.0"},
		{-2.25, "-2.25"},
		{123.456, "123.456"},
		{addFloats(0.1, 0.2), "0.30000000000000004"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1.5e-7, "1.5e-07"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.2345678901234568e+16, "1.2345678901234568e+16"},
		{1e22, "1e+22"},
		{1e300, "1e+300"},
		{5e-324, "5e-324"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := pyFloatRepr(tt.in); got != tt.want {
			t.Errorf("pyFloatRepr(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalLiteral(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		in      scalar
		want    string
		wantErr string
	}{
		{"string as is", TypeString, stringScalar("fast"), "fast", ""},
		{"empty string", TypeString, stringScalar(""), "", ""},
		{"string of yaml bool is Python str", TypeString, scalar{kind: kindBool, b: true}, "True", ""},
		{"string of yaml int", TypeString, scalar{kind: kindInt, i: 5}, "5", ""},
		{"string of yaml float", TypeString, scalar{kind: kindFloat, f: 0.5}, "0.5", ""},
		{"boolean from bool", TypeBoolean, scalar{kind: kindBool, b: false}, "False", ""},
		{"boolean from text any case", TypeBoolean, stringScalar("TRUE"), "True", ""},
		{"boolean rejects yes text", TypeBoolean, stringScalar("maybe"), "", "is not a boolean"},
		{"boolean rejects int", TypeBoolean, scalar{kind: kindInt, i: 1}, "", "is not a boolean"},
		{"integer from int", TypeInteger, scalar{kind: kindInt, i: -3}, "-3", ""},
		{"integer from text", TypeInteger, stringScalar(" 42 "), "42", ""},
		{"integer from whole float text", TypeInteger, stringScalar("5.0"), "5", ""},
		{"integer from exponent text", TypeInteger, stringScalar("1e3"), "1000", ""},
		{"integer from whole yaml float", TypeInteger, scalar{kind: kindFloat, f: 7}, "7", ""},
		{"integer refuses fraction az would truncate", TypeInteger, stringScalar("5.7"), "", "is not an integer"},
		{"integer refuses words", TypeInteger, stringScalar("five"), "", "is not an integer"},
		{"integer refuses bool", TypeInteger, scalar{kind: kindBool, b: true}, "", "is not an integer"},
		{"number from int is Python float", TypeNumber, scalar{kind: kindInt, i: 5}, "5.0", ""},
		{"number from text", TypeNumber, stringScalar("5"), "5.0", ""},
		{"number keeps shortest repr", TypeNumber, stringScalar("0.50"), "0.5", ""},
		{"number small", TypeNumber, stringScalar("0.00001"), "1e-05", ""},
		{"number refuses inf", TypeNumber, stringScalar("inf"), "", "not a finite number"},
		{"number refuses yaml nan", TypeNumber, scalar{kind: kindFloat, f: math.NaN()}, "", "not a finite number"},
		{"number refuses words", TypeNumber, stringScalar("half"), "", "is not a number"},
		{"number refuses bool", TypeNumber, scalar{kind: kindBool, b: true}, "", "is not a number"},
		{"data type has no literal", TypeURIFolder, stringScalar("x"), "", "takes no literal value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := canonicalLiteral(tt.typ, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("canonicalLiteral = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("canonicalLiteral = %q, %v; want %q", got, err, tt.want)
			}
			// Canonical values are fixed points: Build re-canonicalises
			// file values after --set may have changed the type.
			again, err := canonicalLiteral(tt.typ, stringScalar(got))
			if err != nil || again != got {
				t.Errorf("canonicalising %q again = %q, %v", got, again, err)
			}
		})
	}
}

func TestCheckLiteralRange(t *testing.T) {
	tests := []struct {
		typ, value, min, max string
		wantErr              string
	}{
		{TypeInteger, "5", "1", "9", ""},
		{TypeInteger, "1", "1", "", ""},
		{TypeInteger, "0", "1", "", "below min 1"},
		{TypeInteger, "10", "", "9", "above max 9"},
		{TypeInteger, "5", "9", "1", "min 9 is greater than max 1"},
		{TypeNumber, "0.5", "0.0", "1.0", ""},
		{TypeNumber, "1.5", "0.0", "1.0", "above max 1.0"},
		{TypeNumber, "-0.1", "0.0", "", "below min 0.0"},
		// Integers beyond 2^53 must compare exactly, not through float64.
		{TypeInteger, "9007199254740993", "", "9007199254740992", "above max"},
	}
	for _, tt := range tests {
		err := checkLiteralRange(tt.typ, tt.value, tt.min, tt.max)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkLiteralRange(%v) = %v, want nil", tt, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkLiteralRange(%v) = %v, want %q", tt, err, tt.wantErr)
		}
	}
}

// addFloats adds at run time; a constant 0.1 + 0.2 would be folded exactly.
func addFloats(a, b float64) float64 { return a + b }
