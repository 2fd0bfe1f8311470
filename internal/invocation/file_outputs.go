package invocation

import (
	"fmt"

	"github.com/mlbatch/ml/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// outputs decodes the outputs: mapping; outputs are never resolved.
func (d *fileDecoder) outputs(n *yaml.Node) error {
	if yamlnode.IsNull(n) {
		return nil
	}
	pairs, err := d.mapping(n, "outputs", "a mapping of output names to {type, path, mode}")
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if err := checkIOName(fmt.Sprintf("%s:%d", d.file, p.KeyNode.Line), "outputs", p.Key); err != nil {
			return err
		}
		out, err := d.output(p.Key, p.Value)
		if err != nil {
			return err
		}
		d.spec.lines["outputs."+p.Key] = p.KeyNode.Line
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
		switch p.Key {
		case "type":
			hasType = true
			if out.Type, err = d.text(p.Value, where+".type"); err != nil {
				return Output{}, err
			}
			if err := checkOutputType(out.Type); err != nil {
				return Output{}, d.errf(p.Value, "%s.type: %v", where, err)
			}
		case "path":
			if out.Path, err = d.text(p.Value, where+".path"); err != nil {
				return Output{}, err
			}
			if _, err := outputURI(out.Path); err != nil {
				return Output{}, d.errf(p.Value, "%s: %v", where, err)
			}
		case "mode":
			mode, err := d.text(p.Value, where+".mode")
			if err != nil {
				return Output{}, err
			}
			if out.Mode, err = canonicalMode(outputModeWire, mode, "an output"); err != nil {
				return Output{}, d.errf(p.Value, "%s.mode: %v", where, err)
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
