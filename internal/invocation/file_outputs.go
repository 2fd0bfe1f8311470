package invocation

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// outputs decodes the outputs: mapping; outputs are never resolved.
func (d *fileDecoder) outputs(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	pairs, err := d.mapping(n, "outputs", "a mapping of output names to {type, path, mode}")
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if err := checkIOName(fmt.Sprintf("%s:%d", d.file, p.k.Line), "outputs", p.key); err != nil {
			return err
		}
		out, err := d.output(p.key, p.v)
		if err != nil {
			return err
		}
		d.spec.lines["outputs."+p.key] = p.k.Line
		d.spec.Outputs = append(d.spec.Outputs, out)
	}
	return nil
}

// output decodes one output mapping {type, path, mode}; type is required.
func (d *fileDecoder) output(name string, n *yaml.Node) (Output, error) {
	where := "outputs." + name
	pairs, err := d.mapping(n, where, "a mapping with type, path and mode")
	if err != nil {
		return Output{}, err
	}
	out := Output{Name: name}
	hasType := false
	for _, p := range pairs {
		switch p.key {
		case "type":
			hasType = true
			if out.Type, err = d.text(p.v, where+".type"); err != nil {
				return Output{}, err
			}
			if err := checkOutputType(out.Type); err != nil {
				return Output{}, d.errf(p.v, "%s.type: %v", where, err)
			}
		case "path":
			if out.Path, err = d.text(p.v, where+".path"); err != nil {
				return Output{}, err
			}
			if _, err := outputURI(out.Path); err != nil {
				return Output{}, d.errf(p.v, "%s: %v", where, err)
			}
		case "mode":
			mode, err := d.text(p.v, where+".mode")
			if err != nil {
				return Output{}, err
			}
			if out.Mode, err = canonicalMode(outputModeWire, mode, "an output"); err != nil {
				return Output{}, d.errf(p.v, "%s.mode: %v", where, err)
			}
		default:
			return Output{}, d.unknownKey(p, "in "+where, outputKeys)
		}
	}
	if !hasType {
		return Output{}, d.errf(n, "%s has no type; add type: uri_file (model deployments write one uri_file output)", where)
	}
	return out, nil
}
