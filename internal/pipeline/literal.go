package pipeline

import (
	"fmt"
	"strconv"
	"strings"
)

// checkLiteral checks that v, a literal given to an input of type typ (any
// case), parses as that type. Literals arrive rendered as the Python SDK
// sends them (str(value): True, 0.5, 2.0) and reach commands unchanged.
func checkLiteral(typ, v string) error {
	s := strings.TrimSpace(v)
	switch strings.ToLower(typ) {
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
