package invocation

import (
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// builder collects inputs and outputs from --file, --set and the flags,
// by name, before they are checked.
type builder struct {
	inputs  map[string]*inputDraft
	outputs map[string]*outputDraft
}

// inputDraft is an input while its sources are merged. hasValue tells an
// empty literal value from none.
type inputDraft struct {
	in       Input
	hasValue bool
	// label names the input and where it came from, prefixing errors:
	// "--input", "inputs.x (invoke.yml:4)", "inputs.x (invoke.yml:4, --set)".
	label string
}

func (b *builder) addFileInputs(spec *FileSpec) {
	for _, in := range spec.Inputs {
		b.inputs[in.Name] = &inputDraft{in: in, hasValue: in.IsLiteral(),
			label: "inputs." + in.Name + " (" + spec.origin("inputs."+in.Name) + ")"}
	}
}

// addSetInputs overlays --set inputs key by key on the file's inputs.
func (b *builder) addSetInputs(set *SetOverrides) {
	for _, name := range sortedKeys(set.Inputs) {
		o := set.Inputs[name]
		if o.Literal != nil {
			// inputs.x=VALUE replaces the whole input with a string literal.
			b.inputs[name] = &inputDraft{in: Input{Name: name, Type: TypeString, Value: *o.Literal}, hasValue: true,
				label: "--set inputs." + name}
			continue
		}
		d, ok := b.inputs[name]
		if ok {
			d.label = strings.TrimSuffix(d.label, ")") + ", --set)"
		} else {
			d = &inputDraft{in: Input{Name: name}, label: "--set inputs." + name}
			b.inputs[name] = d
		}
		assign(&d.in.Type, o.Type)
		assign(&d.in.Path, o.Path)
		assign(&d.in.Mode, o.Mode)
		if o.Value != nil {
			d.in.Value, d.hasValue = *o.Value, true
		}
		assign(&d.in.Min, o.Min)
		assign(&d.in.Max, o.Max)
	}
}

func assign(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// addSingleInput adds the --input input, named after its type as az does.
func (b *builder) addSingleInput(path, inputType string) error {
	if path == "" {
		return nil
	}
	typ := inputType
	if typ == "" {
		// az's default. For azureml:<name>:<version> az first asks the
		// workspace for the asset's type; the caller resolving the reference
		// may retype the input (see Invocation.SingleInput).
		typ = TypeURIFolder
	}
	if typ != TypeURIFolder && typ != TypeURIFile {
		return clierr.Usagef("--input-type %s: Unsupported input please use either a path on the datastore, public URI, a registered data asset, or a local folder path. "+
			"Use --input-type uri_folder (the default) or uri_file; for other input types use --file or --set inputs.<name>.type=...", quote(inputType))
	}
	name := dataTypeWire[typ]
	b.inputs[name] = &inputDraft{in: Input{Name: name, Type: typ, Path: path}, label: "--input"}
	return nil
}

// finalize checks the merged input and canonicalises it.
func (d *inputDraft) finalize() (Input, error) {
	in := d.in
	if in.Type == "" {
		return Input{}, clierr.Usagef("%s has no type; add --set inputs.%s.type=uri_folder (or one of %s)", d.label, in.Name, inputTypesText)
	}
	if err := checkInputType(in.Type); err != nil {
		return Input{}, clierr.Usagef("%s: %v", d.label, err)
	}
	if in.IsLiteral() {
		return d.finalizeLiteral()
	}
	if d.hasValue || in.Min != "" || in.Max != "" {
		return Input{}, clierr.Usagef("%s: type %s is data and takes path and mode, not default/value/min/max; drop them or use a literal type (%s)",
			d.label, in.Type, strings.Join(literalTypes, ", "))
	}
	if in.Path == "" {
		return Input{}, clierr.Usagef("%s has no path; add --set inputs.%s.path=<local path, azureml: reference or URI>", d.label, in.Name)
	}
	ref, err := Classify(in.Path)
	if err != nil {
		return Input{}, clierr.Usagef("%s: %v", d.label, err)
	}
	in.Path = ref.URI()
	if in.Mode != "" {
		if in.Mode, err = canonicalMode(inputModeWire, in.Mode, "an input"); err != nil {
			return Input{}, clierr.Usagef("%s: %v", d.label, err)
		}
	}
	return in, nil
}

// finalizeLiteral re-canonicalises the value under the final type (--set
// may have changed it) and checks the bounds.
func (d *inputDraft) finalizeLiteral() (Input, error) {
	in := d.in
	if in.Path != "" || in.Mode != "" {
		return Input{}, clierr.Usagef("%s: type %s is a literal and takes default (and min/max for numbers), not path/mode; drop them or use a data type (uri_folder, uri_file)",
			d.label, in.Type)
	}
	if !d.hasValue {
		return Input{}, clierr.Usagef("%s has no value; add --set inputs.%s.default=<value>", d.label, in.Name)
	}
	var err error
	if in.Value, err = canonicalLiteral(in.Type, stringScalar(in.Value)); err != nil {
		return Input{}, clierr.Usagef("%s: %v", d.label, err)
	}
	if in.Min != "" || in.Max != "" {
		if in.Type != TypeInteger && in.Type != TypeNumber {
			return Input{}, clierr.Usagef("%s: min and max apply to integer and number inputs, not %s; drop them", d.label, in.Type)
		}
		for _, bound := range []*string{&in.Min, &in.Max} {
			if *bound == "" {
				continue
			}
			if *bound, err = canonicalLiteral(in.Type, stringScalar(*bound)); err != nil {
				return Input{}, clierr.Usagef("%s: bound %v", d.label, err)
			}
		}
		if err := checkLiteralRange(in.Type, in.Value, in.Min, in.Max); err != nil {
			return Input{}, clierr.Usagef("%s: %v", d.label, err)
		}
	}
	return in, nil
}
