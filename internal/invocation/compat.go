package invocation

import (
	"slices"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// LegacyFlags are the spellings of the 2021/2022 preview CLI that public
// scripts still use. Flags.Compat maps them onto today's flags.
type LegacyFlags struct {
	InputPath      string // --input-path folder:<uri> | file:<uri> | <uri>
	InputLocalPath string // --input-local-path <path>
	InputData      string // --input-data <reference>
	InputDataset   string // --input-dataset azureml:<name>:<version>
}

// Compat rewrites into today's flags the forms ml understands beyond az's
// current CLI: the preview CLI's input flags, its `--output-path
// folder:<uri>`, and the Azure docs' space-separated `--set KEY VALUE`.
// Each rewrite returns a one-line note naming today's form (for a
// warning); the result then renders exactly the body today's form renders.
// Values may be secrets (a SAS URL), so notes show them redacted.
func (f *Flags) Compat(l LegacyFlags) (notes []string, err error) {
	if note, err := f.legacyInput(l); err != nil {
		return nil, err
	} else if note != "" {
		notes = append(notes, note)
	}
	if rest, ok := strings.CutPrefix(f.OutputPath, "folder:"); ok {
		f.OutputPath = rest
		notes = append(notes, "--output-path folder:<uri> is the preview CLI's form; use --output-path "+redact(rest))
	}
	for i, tokens := range f.Set {
		if pairs, ok := pairSpaced(tokens); ok {
			f.Set[i] = pairs
			notes = append(notes, spacedNote(pairs))
		}
	}
	return notes, nil
}

// legacyInput maps the preview CLI's input flags onto --input and
// --input-type.
func (f *Flags) legacyInput(l LegacyFlags) (string, error) {
	type alias struct{ flag, value string }
	var given []alias
	for _, a := range []alias{
		{"--input-path", l.InputPath}, {"--input-local-path", l.InputLocalPath},
		{"--input-data", l.InputData}, {"--input-dataset", l.InputDataset},
	} {
		if a.value != "" {
			given = append(given, a)
		}
	}
	if len(given) == 0 {
		return "", nil
	}
	if len(given) > 1 || f.Input != "" {
		return "", clierr.Usagef("%s cannot be combined with --input or another deprecated input flag; keep only --input", given[0].flag)
	}
	a := given[0]
	input, inputType := a.value, ""
	switch a.flag {
	case "--input-path":
		if rest, ok := strings.CutPrefix(a.value, "folder:"); ok {
			input, inputType = rest, TypeURIFolder
		} else if rest, ok := strings.CutPrefix(a.value, "file:"); ok {
			input, inputType = rest, TypeURIFile
		}
	case "--input-dataset":
		// The preview CLI took a registered dataset by name and version.
		if !strings.HasPrefix(a.value, "azureml:") {
			input = "azureml:" + a.value
		}
	}
	if inputType != "" && f.InputType != "" && f.InputType != inputType {
		return "", clierr.Usagef("%s %s says %s but --input-type says %s; keep one", a.flag, redact(a.value), inputType, f.InputType)
	}
	if f.InputType == "" {
		f.InputType = inputType
	}
	f.Input = input
	today := "--input " + redact(input)
	if inputType != "" {
		today += " --input-type " + inputType
	}
	return a.flag + " is deprecated; use " + today, nil
}

// pairSpaced reads one --set occurrence written as the Azure docs print
// it, `--set inputs.x.type uri_folder inputs.x.path $P`, as KEY=VALUE
// pairs. It does so only when that is the one possible reading: no token
// has "=", the count is even, and every key position holds a key of a
// known shape. Anything else is left to ParseSet's errors.
func pairSpaced(tokens []string) ([]string, bool) {
	if len(tokens) == 0 || len(tokens)%2 != 0 {
		return nil, false
	}
	for i, tok := range tokens {
		if strings.Contains(tok, "=") || (i%2 == 0 && !isSetKey(tok)) {
			return nil, false
		}
	}
	pairs := make([]string, 0, len(tokens)/2)
	for i := 0; i < len(tokens); i += 2 {
		pairs = append(pairs, tokens[i]+"="+tokens[i+1])
	}
	return pairs, true
}

// spacedNote says how a space-separated --set was read, keys only (the
// values may be secrets).
func spacedNote(pairs []string) string {
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		key, _, _ := strings.Cut(p, "=")
		keys[i] = key + "=..."
	}
	return "--set: read the space-separated KEY VALUE pairs as " + strings.Join(keys, " ") +
		"; az requires KEY=VALUE, so write them that way in scripts that also run with az"
}

// Fields of the --set keys of one input or output.
var (
	inputSetFields  = []string{"type", "path", "mode", "default", "value", "min", "max"}
	outputSetFields = []string{"type", "path", "mode"}
)

// isSetKey reports whether key is a --set key ParseSet accepts:
// inputs.<name>, inputs.<name>.<field>, outputs.<name>.<field> or a
// settings key.
func isSetKey(key string) bool {
	parts := strings.Split(key, ".")
	validName := len(parts) > 1 && checkIOName("", parts[0], parts[1]) == nil
	switch {
	case parts[0] == "inputs" && validName:
		return len(parts) == 2 || (len(parts) == 3 && slices.Contains(inputSetFields, parts[2]))
	case parts[0] == "outputs" && validName:
		return len(parts) == 3 && slices.Contains(outputSetFields, parts[2])
	}
	return isSettingKey(key)
}
