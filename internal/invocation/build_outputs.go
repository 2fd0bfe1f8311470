package invocation

import (
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// outputDraft is an output while its sources are merged.
type outputDraft struct {
	out   Output
	label string
	// fromOutputPath marks the --output-path output, whose URI already
	// has its final form.
	fromOutputPath bool
}

func (b *builder) addFileOutputs(spec *FileSpec) {
	for _, out := range spec.Outputs {
		b.outputs[out.Name] = &outputDraft{out: out, label: "outputs." + out.Name + " (" + spec.origin("outputs."+out.Name) + ")"}
	}
}

// addSetOutputs overlays --set outputs key by key on the file's outputs.
func (b *builder) addSetOutputs(set *SetOverrides) {
	for _, name := range sortedKeys(set.Outputs) {
		o := set.Outputs[name]
		d, ok := b.outputs[name]
		if ok {
			d.label = strings.TrimSuffix(d.label, ")") + ", --set)"
		} else {
			d = &outputDraft{out: Output{Name: name}, label: "--set outputs." + name}
			b.outputs[name] = d
		}
		assign(&d.out.Type, o.Type)
		assign(&d.out.Path, o.Path)
		assign(&d.out.Mode, o.Mode)
	}
}

// addOutputPath adds the --output-path output: always named output_name and
// typed uri_file, as az sends it.
func (b *builder) addOutputPath(p string) error {
	if p == "" {
		return nil
	}
	uri, err := parseOutputPath(p)
	if err != nil {
		return clierr.Usagef("--output-path: %v", err)
	}
	if d, ok := b.outputs[OutputPathName]; ok {
		return clierr.Usagef("--output-path sets the output named %s, which %s also sets; drop one", OutputPathName, d.label)
	}
	b.outputs[OutputPathName] = &outputDraft{out: Output{Name: OutputPathName, Type: TypeURIFile, Path: uri},
		label: "--output-path", fromOutputPath: true}
	return nil
}

// finalize checks the merged output. The --output-path output gets
// /<output_file_name> appended when that setting is given, as the SDK does.
func (d *outputDraft) finalize(s Settings) (Output, error) {
	out := d.out
	if d.fromOutputPath {
		if s.OutputFileName != nil {
			out.Path = strings.TrimSuffix(out.Path, "/") + "/" + *s.OutputFileName
		}
		return out, nil
	}
	if out.Type == "" {
		return Output{}, clierr.Usagef("%s has no type; add --set outputs.%s.type=uri_file", d.label, out.Name)
	}
	if err := checkOutputType(out.Type); err != nil {
		return Output{}, clierr.Usagef("%s: %v", d.label, err)
	}
	var err error
	if out.Path != "" {
		if out.Path, err = outputURI(out.Path); err != nil {
			return Output{}, clierr.Usagef("%s: %v", d.label, err)
		}
	}
	if out.Mode != "" {
		if out.Mode, err = canonicalMode(outputModeWire, out.Mode, "an output"); err != nil {
			return Output{}, clierr.Usagef("%s: %v", d.label, err)
		}
	}
	return out, nil
}
