package invocation

import (
	"fmt"
	"strings"

	"github.com/mlbatch/ml/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// inputs decodes the inputs: mapping, sorted later by DecodeFile.
func (d *fileDecoder) inputs(n *yaml.Node) error {
	if yamlnode.IsNull(n) {
		return nil
	}
	pairs, err := d.mapping(n, "inputs", "a mapping of input names to values")
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if err := checkIOName(fmt.Sprintf("%s:%d", d.file, p.KeyNode.Line), "inputs", p.Key); err != nil {
			return err
		}
		in, err := d.input(p.Key, p.Value)
		if err != nil {
			return err
		}
		d.spec.lines["inputs."+p.Key] = p.KeyNode.Line
		d.spec.Inputs = append(d.spec.Inputs, in)
	}
	return nil
}

// input decodes one input: the scalar shorthand (a literal typed by its
// YAML type, as az does — a string is a string literal, never a path) or a
// mapping.
func (d *fileDecoder) input(name string, n *yaml.Node) (Input, error) {
	where := "inputs." + name
	switch {
	case yamlnode.IsNull(n):
		return Input{}, d.errf(n, "%s has no value; write a value (%s: 5) or a mapping (%s: {type: uri_folder, path: ./data})", where, name, name)
	case n.Kind == yaml.ScalarNode:
		s, err := d.literal(n, where)
		if err != nil {
			return Input{}, err
		}
		typ := s.literalType()
		v, err := canonicalLiteral(typ, s)
		if err != nil {
			return Input{}, d.errf(n, "%s: %v", where, err)
		}
		return Input{Name: name, Type: typ, Value: v}, nil
	case n.Kind == yaml.MappingNode:
		return d.inputDict(name, n)
	}
	return Input{}, d.errf(n, "%s must be a value or a mapping, not %s", where, kindName(n))
}

// inputDict decodes an input given as a mapping. Its type decides which
// keys it may hold, as in az: {type, path, mode} for data, {type, default,
// min, max} for numbers, {type, default} for strings and booleans.
func (d *fileDecoder) inputDict(name string, n *yaml.Node) (Input, error) {
	where := "inputs." + name
	pairs, err := d.mapping(n, where, "a mapping")
	if err != nil {
		return Input{}, err
	}
	byKey := map[string]yamlnode.Pair{}
	for _, p := range pairs {
		byKey[p.Key] = p
	}
	tp, ok := byKey["type"]
	if !ok {
		// A key no input type accepts is the real mistake (often a typo
		// of "type"), so it is reported before the missing type.
		for _, p := range pairs {
			if !contains(dataInputKeys, p.Key) && !contains(numberKeys, p.Key) && !contains(plainLitKeys, p.Key) {
				return Input{}, d.errf(p.KeyNode, "unknown key %s in %s; valid keys: type, path, mode (data), default, min, max (literals)", quote(p.Key), where)
			}
		}
		return Input{}, d.errf(n, "%s has no type; add type: uri_folder (or one of %s)", where, inputTypesText)
	}
	typ, err := d.text(tp.Value, where+".type")
	if err != nil {
		return Input{}, err
	}
	if err := checkInputType(typ); err != nil {
		return Input{}, d.errf(tp.Value, "%s.type: %v", where, err)
	}
	in := Input{Name: name, Type: typ}
	valid := dataInputKeys
	switch typ {
	case TypeInteger, TypeNumber:
		valid = numberKeys
	case TypeString, TypeBoolean:
		valid = plainLitKeys
	}
	for _, p := range pairs {
		if !contains(valid, p.Key) {
			return Input{}, d.errf(p.KeyNode, "unknown key %s in %s; valid keys: %s (for type %s)", quote(p.Key), where, strings.Join(valid, ", "), typ)
		}
	}
	if in.IsLiteral() {
		return d.literalDict(in, n, byKey)
	}
	pp, ok := byKey["path"]
	if !ok {
		return Input{}, d.errf(n, "%s has no path; add path: with a local path, azureml: reference or URI", where)
	}
	if in.Path, err = d.text(pp.Value, where+".path"); err != nil {
		return Input{}, err
	}
	if _, err := Classify(in.Path); err != nil {
		return Input{}, d.errf(pp.Value, "%s.path: %v", where, err)
	}
	if mp, ok := byKey["mode"]; ok {
		mode, err := d.text(mp.Value, where+".mode")
		if err != nil {
			return Input{}, err
		}
		if in.Mode, err = canonicalMode(inputModeWire, mode, "an input"); err != nil {
			return Input{}, d.errf(mp.Value, "%s.mode: %v", where, err)
		}
	}
	return in, nil
}

// literalDict finishes a literal input given as a mapping.
func (d *fileDecoder) literalDict(in Input, n *yaml.Node, byKey map[string]yamlnode.Pair) (Input, error) {
	where := "inputs." + in.Name
	dp, hasDefault := byKey["default"]
	vp, hasValue := byKey["value"]
	switch {
	case hasDefault && hasValue:
		return Input{}, d.errf(vp.KeyNode, "%s has both default and value; keep default", where)
	case hasValue:
		dp = vp
	case !hasDefault:
		return Input{}, d.errf(n, "%s has no default; add default: <value>", where)
	}
	canon := func(p yamlnode.Pair) (string, error) {
		s, err := d.literal(p.Value, where+"."+p.Key)
		if err != nil {
			return "", err
		}
		v, err := canonicalLiteral(in.Type, s)
		if err != nil {
			return "", d.errf(p.Value, "%s.%s: %v", where, p.Key, err)
		}
		return v, nil
	}
	var err error
	if in.Value, err = canon(dp); err != nil {
		return Input{}, err
	}
	if p, ok := byKey["min"]; ok {
		if in.Min, err = canon(p); err != nil {
			return Input{}, err
		}
	}
	if p, ok := byKey["max"]; ok {
		if in.Max, err = canon(p); err != nil {
			return Input{}, err
		}
	}
	if err := checkLiteralRange(in.Type, in.Value, in.Min, in.Max); err != nil {
		return Input{}, d.errf(dp.Value, "%s: %v", where, err)
	}
	return in, nil
}
