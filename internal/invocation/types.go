package invocation

import (
	"fmt"
	"strings"
)

// checkInputType accepts the input types a user may write. mltable is
// refused with the reason the Azure docs give.
func checkInputType(t string) error {
	switch {
	case t == TypeMLTable:
		return fmt.Errorf("%s", reasonMLTable)
	case contains(inputTypeNames, t):
		return nil
	}
	return fmt.Errorf("unknown input type %s; valid types: %s", quote(t), inputTypesText)
}

// checkOutputType accepts the output types a user may write.
func checkOutputType(t string) error {
	if contains(outputTypeNames, t) {
		return nil
	}
	return fmt.Errorf("unknown output type %s; valid types: %s", quote(t), strings.Join(outputTypeNames, ", "))
}

// canonicalMode accepts a delivery mode in its YAML (ro_mount) or wire
// (ReadOnlyMount) spelling, any case, and returns the YAML spelling. what is
// "an input" or "an output".
func canonicalMode(table map[string]string, mode, what string) (string, error) {
	if snake, ok := fromWire(table, mode); ok {
		return snake, nil
	}
	return "", fmt.Errorf("mode %s is not valid for %s; valid modes: %s", quote(mode), what, strings.Join(keysOf(table), ", "))
}
