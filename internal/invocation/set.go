package invocation

import (
	"sort"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/usertext"
)

// SetOverrides is what the --set occurrences ask for, merged in order: a
// later key wins. Values stay strings (a --set value is always a string);
// Build canonicalises literals once the input's final type is known.
// The zero value overrides nothing; ParseSet always fills both maps.
type SetOverrides struct {
	// Inputs holds the inputs.<name>[.<field>] keys, by input name.
	Inputs map[string]InputOverride
	// Outputs holds the outputs.<name>.<field> keys, by output name.
	Outputs map[string]OutputOverride
	// Settings holds the settings keys, already validated.
	Settings Settings
}

// InputOverride is the --set keys given for one input; a nil field was not
// given.
type InputOverride struct {
	// Literal is inputs.<name>=VALUE: a string literal that replaces the
	// whole input, as az does. It excludes every other field.
	Literal *string
	Type    *string
	Path    *string
	Mode    *string
	// Value is inputs.<name>.default, or its alias inputs.<name>.value.
	Value *string
	Min   *string
	Max   *string
}

// isDict reports whether any inputs.<name>.<field> key was given.
func (o InputOverride) isDict() bool {
	return o.Type != nil || o.Path != nil || o.Mode != nil || o.Value != nil || o.Min != nil || o.Max != nil
}

// OutputOverride is the --set keys given for one output; a nil field was
// not given.
type OutputOverride struct {
	Type *string
	Path *string
	Mode *string
}

const setUsage = "usage: --set KEY=VALUE [KEY=VALUE ...]"

// validSetKeys is the list quoted when a --set key is unknown.
var validSetKeys = "inputs.<name>, inputs.<name>.{type,path,mode,default,value,min,max}, " +
	"outputs.<name>.{type,path,mode}, " + strings.Join(settingKeys, ", ")

// ParseSet parses the --set occurrences; each occurrence is the list of
// KEY=VALUE tokens that followed one --set. Every token is split on its
// first "=", and dotted keys merge into one tree, a later key replacing an
// earlier one. Errors are clierr.UsageError naming the token or key.
func ParseSet(occurrences [][]string) (*SetOverrides, error) {
	s := &SetOverrides{Inputs: map[string]InputOverride{}, Outputs: map[string]OutputOverride{}}
	for _, tokens := range occurrences {
		for _, tok := range tokens {
			key, value, ok := strings.Cut(tok, "=")
			if !ok {
				hint := ""
				if isKnownSetKeyShape(tok) {
					// The Azure docs write "--set inputs.x.type uri_folder";
					// argparse then sees two tokens without "=".
					hint = " (join key and value with '=', not a space)"
				}
				return nil, clierr.Usagef("--set: %s is not KEY=VALUE%s; %s", quote(tok), hint, setUsage)
			}
			if err := usertext.Check("--set "+key, value); err != nil {
				return nil, err
			}
			if err := s.apply(key, value); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// isKnownSetKeyShape reports whether tok looks like a --set key on its own.
func isKnownSetKeyShape(tok string) bool {
	return strings.HasPrefix(tok, "inputs.") || strings.HasPrefix(tok, "outputs.") || isSettingKey(tok)
}

func (s *SetOverrides) apply(key, value string) error {
	if key == "" {
		return clierr.Usagef("--set: empty key in %s; %s", quote("="+value), setUsage)
	}
	parts := strings.Split(key, ".")
	switch parts[0] {
	case "inputs":
		return s.applyInput(key, parts[1:], value)
	case "outputs":
		return s.applyOutput(key, parts[1:], value)
	}
	if isSettingKey(key) {
		if err := applySetting(&s.Settings, key, value); err != nil {
			return clierr.Usagef("--set %s: %v", key, err)
		}
		return nil
	}
	return clierr.Usagef("--set: unknown key %s; valid keys: %s", quote(key), validSetKeys)
}

func (s *SetOverrides) applyInput(key string, rest []string, value string) error {
	if len(rest) == 0 {
		// az's own message for --set inputs=<scalar>.
		return clierr.Usagef("--set inputs: Unsupported 'inputs' type, it should be a dictionary. Example: inputs.keyName=value")
	}
	name := rest[0]
	if err := checkIOName("--set "+key, "inputs", name); err != nil {
		return err
	}
	o := s.Inputs[name]
	if len(rest) == 1 {
		if o.isDict() {
			return mixedInputError(name)
		}
		o.Literal = &value
		s.Inputs[name] = o
		return nil
	}
	if len(rest) > 2 {
		return clierr.Usagef("--set: unknown key %s; an input takes inputs.%s=VALUE or inputs.%s.{type,path,mode,default,value,min,max}",
			quote(key), name, name)
	}
	if o.Literal != nil {
		return mixedInputError(name)
	}
	v := value
	switch rest[1] {
	case "type":
		o.Type = &v
	case "path":
		o.Path = &v
	case "mode":
		o.Mode = &v
	case "default", "value":
		o.Value = &v
	case "min":
		o.Min = &v
	case "max":
		o.Max = &v
	default:
		return clierr.Usagef("--set: unknown key %s; valid keys for an input: inputs.%s.{type,path,mode,default,value,min,max}",
			quote(key), name)
	}
	s.Inputs[name] = o
	return nil
}

// mixedInputError explains why inputs.x=v and inputs.x.type=... cannot both
// be given (az crashes with a TypeError here).
func mixedInputError(name string) error {
	return clierr.Usagef("--set: inputs.%[1]s is given both as a value (inputs.%[1]s=VALUE) and as a dictionary (inputs.%[1]s.type=..., inputs.%[1]s.path=...); "+
		"keep inputs.%[1]s=VALUE for a string literal, or only the inputs.%[1]s.<field> keys for a typed input", name)
}

func (s *SetOverrides) applyOutput(key string, rest []string, value string) error {
	if len(rest) == 0 {
		return clierr.Usagef("--set outputs: Unsupported 'outputs' type, it should be a dictionary. Example: outputs.keyName.type=uri_file")
	}
	name := rest[0]
	if err := checkIOName("--set "+key, "outputs", name); err != nil {
		return err
	}
	if len(rest) != 2 {
		return clierr.Usagef("--set: %s is not a valid output key; an output takes outputs.%[2]s.type=uri_file outputs.%[2]s.path=azureml://datastores/<datastore>/paths/<path> [outputs.%[2]s.mode=...]",
			quote(key), name)
	}
	o := s.Outputs[name]
	v := value
	switch rest[1] {
	case "type":
		o.Type = &v
	case "path":
		o.Path = &v
	case "mode":
		o.Mode = &v
	default:
		return clierr.Usagef("--set: unknown key %s; valid keys for an output: outputs.%s.{type,path,mode}", quote(key), name)
	}
	s.Outputs[name] = o
	return nil
}

// Tokens renders the overrides back as KEY=VALUE tokens in a canonical
// order (inputs, outputs, settings; names sorted), such that
// ParseSet([][]string{s.Tokens()}) yields s again. The tokens carry values
// verbatim, so they may hold secrets (a SAS URL): do not log them.
func (s *SetOverrides) Tokens() []string {
	var out []string
	add := func(key string, v *string) {
		if v != nil {
			out = append(out, key+"="+*v)
		}
	}
	for _, name := range sortedKeys(s.Inputs) {
		o := s.Inputs[name]
		p := "inputs." + name
		add(p, o.Literal)
		add(p+".type", o.Type)
		add(p+".path", o.Path)
		add(p+".mode", o.Mode)
		add(p+".default", o.Value)
		add(p+".min", o.Min)
		add(p+".max", o.Max)
	}
	for _, name := range sortedKeys(s.Outputs) {
		o := s.Outputs[name]
		p := "outputs." + name
		add(p+".type", o.Type)
		add(p+".path", o.Path)
		add(p+".mode", o.Mode)
	}
	for _, key := range settingKeys {
		if key == KeyComputeInstanceCount {
			continue
		}
		if isIntSetting(key) {
			if v := *intField(&s.Settings, key); v != nil {
				out = append(out, key+"="+itoa(*v))
			}
			continue
		}
		switch key {
		case KeyOutputFileName:
			add(key, s.Settings.OutputFileName)
		case KeyLoggingLevel:
			add(key, s.Settings.LoggingLevel)
		}
	}
	return out
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
