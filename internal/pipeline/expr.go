package pipeline

import (
	"fmt"
	"regexp"
	"strings"
)

// Expressions, as Azure ML writes them:
//
//	${{parent.inputs.<x>}}                  a step input or output bound to its pipeline's input
//	${{parent.outputs.<y>}}                 a step output that is the pipeline's output y
//	${{parent.jobs.<step>.outputs.<o>}}     another step's output
//	${{inputs.<x>}} / ${{outputs.<y>}}      in a command: the value or path of a port
//	$[[ ... ]]                              in a command: dropped when an optional input inside is unset

// refKind says what a binding reference points at.
type refKind int

const (
	refParentInput refKind = iota
	refParentOutput
	refStepOutput
)

// ref is a parsed ${{parent...}} reference.
type ref struct {
	kind refKind
	step string // refStepOutput only
	name string
}

func (r ref) String() string {
	switch r.kind {
	case refParentInput:
		return "${{parent.inputs." + r.name + "}}"
	case refParentOutput:
		return "${{parent.outputs." + r.name + "}}"
	}
	return "${{parent.jobs." + r.step + ".outputs." + r.name + "}}"
}

const portName = `[A-Za-z0-9_][A-Za-z0-9_.-]*`

var (
	bindingPattern = regexp.MustCompile(`^\s*\$\{\{\s*parent\.(?:(inputs|outputs)\.(` + portName + `)|jobs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+))\s*\}\}\s*$`)
	exprPattern    = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	portRefPattern = regexp.MustCompile(`^\s*(inputs|outputs)\.(` + portName + `)\s*$`)
)

// parseRef recognises a binding that is exactly one ${{parent...}}
// reference. ok is false for plain values; a value that holds some other
// ${{...}} expression is an error.
func parseRef(s string) (r ref, ok bool, err error) {
	m := bindingPattern.FindStringSubmatch(s)
	switch {
	case m != nil && m[1] == "inputs":
		return ref{kind: refParentInput, name: m[2]}, true, nil
	case m != nil && m[1] == "outputs":
		return ref{kind: refParentOutput, name: m[2]}, true, nil
	case m != nil:
		return ref{kind: refStepOutput, step: m[3], name: m[4]}, true, nil
	case strings.Contains(s, "${{"):
		return ref{}, false, fmt.Errorf("%q is not a binding Azure ML supports: use ${{parent.inputs.<name>}}, ${{parent.outputs.<name>}} or ${{parent.jobs.<step>.outputs.<name>}}, alone", s)
	}
	return ref{}, false, nil
}

// portLookup returns what ${{inputs.x}} or ${{outputs.y}} stands for in a
// command; set is false for an optional input that was not given.
type portLookup func(kind, name string) (value string, set bool, err error)

// renderCommand substitutes a command's ${{inputs.x}} and ${{outputs.y}}
// and resolves its $[[...]] blocks: a block is kept (without its brackets)
// when every input it uses is set, and dropped otherwise, as Azure ML does
// for optional inputs. An unset input outside a block is an error.
func renderCommand(command string, lookup portLookup) (string, error) {
	var out strings.Builder
	rest := command
	for {
		open := strings.Index(rest, "$[[")
		if open < 0 {
			text, _, err := substitute(rest, lookup, false)
			if err != nil {
				return "", err
			}
			out.WriteString(text)
			return out.String(), nil
		}
		text, _, err := substitute(rest[:open], lookup, false)
		if err != nil {
			return "", err
		}
		out.WriteString(text)
		body := rest[open+3:]
		end := strings.Index(body, "]]")
		if end < 0 {
			return "", fmt.Errorf("the command opens an optional block $[[ without closing it with ]]")
		}
		if strings.Contains(body[:end], "$[[") {
			return "", fmt.Errorf("the command nests $[[ blocks; optional blocks cannot contain other blocks")
		}
		block, complete, err := substitute(body[:end], lookup, true)
		if err != nil {
			return "", err
		}
		if complete {
			out.WriteString(block)
		}
		rest = body[end+2:]
	}
}

// substitute replaces the references in text. In an optional block an unset
// input makes complete false; outside one it is an error.
func substitute(text string, lookup portLookup, optional bool) (string, bool, error) {
	complete := true
	var firstErr error
	out := exprPattern.ReplaceAllStringFunc(text, func(expr string) string {
		inner := exprPattern.FindStringSubmatch(expr)[1]
		m := portRefPattern.FindStringSubmatch(inner)
		if m == nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("the command uses %s; commands can use ${{inputs.<name>}} and ${{outputs.<name>}}", expr)
			}
			return expr
		}
		v, set, err := lookup(m[1], m[2])
		switch {
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		case !set && optional:
			complete = false
		case !set:
			if firstErr == nil {
				firstErr = fmt.Errorf("the command uses %s, an optional input that is not set, outside a $[[...]] block; give the input a value or wrap that part of the command in $[[ ]]", expr)
			}
		}
		return v
	})
	return out, complete, firstErr
}
