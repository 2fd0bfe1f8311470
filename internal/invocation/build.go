package invocation

import (
	"context"
	"io"

	"github.com/mlbatch/ml/internal/clierr"
)

// Flags are the `ml batch-endpoint invoke` flags that shape the job, as
// given. An empty string or nil pointer means the flag was not given.
type Flags struct {
	Endpoint       string // -n/--name
	Deployment     string // -d/--deployment-name
	Input          string // --input
	InputType      string // --input-type: uri_folder (default) or uri_file
	File           string // -f/--file
	OutputPath     string // --output-path
	JobName        string // --job-name
	ExperimentName string // --experiment-name
	MiniBatchSize  *int64 // -m/--mini-batch-size
	InstanceCount  *int64 // -c/--instance-count
	// Set holds one slice of KEY=VALUE tokens per --set occurrence.
	Set [][]string
}

// Build turns the flags into one Invocation, checking everything that can be
// checked without the workspace. Precedence: dedicated flags over --set over
// --file; --set overrides --file key by key. Unlike az, which silently
// ignores --input when --file is given and drops settings given with --set,
// Build refuses the first and honours the second. Local paths are stat-ed
// but not uploaded; data asset references are classified, not resolved.
// Every error is a clierr.UsageError naming the flag, key or file and the fix.
// stdin is read for --file - (until ctx ends).
func Build(ctx context.Context, f Flags, stdin io.Reader) (*Invocation, error) {
	if f.InputType != "" && f.Input == "" {
		return nil, clierr.Usagef("--input-type needs --input; add --input <path> or drop --input-type")
	}
	set, err := ParseSet(f.Set)
	if err != nil {
		return nil, err
	}
	spec := &FileSpec{lines: map[string]int{}}
	if f.File != "" {
		if spec, err = LoadFile(ctx, f.File, stdin); err != nil {
			return nil, err
		}
	}
	if f.Input != "" {
		if len(spec.Inputs) > 0 {
			return nil, clierr.Usagef("--input cannot be combined with the inputs: of --file %s (az would silently ignore --input); drop --input, or remove inputs: from the file", f.File)
		}
		if len(set.Inputs) > 0 {
			return nil, clierr.Usagef("--input cannot be combined with --set inputs.*; drop --input, or drop the --set inputs.* keys (name the input with --set inputs.<name>.type=... inputs.<name>.path=...)")
		}
	}

	b := &builder{inputs: map[string]*inputDraft{}, outputs: map[string]*outputDraft{}}
	b.addFileInputs(spec)
	b.addSetInputs(set)
	if err := b.addSingleInput(f.Input, f.InputType); err != nil {
		return nil, err
	}
	b.addFileOutputs(spec)
	b.addSetOutputs(set)
	if err := b.addOutputPath(f.OutputPath); err != nil {
		return nil, err
	}

	inv := &Invocation{
		Endpoint:       firstNonEmpty(f.Endpoint, spec.Endpoint),
		Deployment:     firstNonEmpty(f.Deployment, spec.Deployment),
		JobName:        firstNonEmpty(f.JobName, spec.JobName),
		ExperimentName: firstNonEmpty(f.ExperimentName, spec.ExperimentName),
		SingleInput:    f.Input != "",
	}
	if inv.Endpoint == "" {
		return nil, clierr.Usagef("no endpoint given; add -n/--name <endpoint> (or endpoint: in --file)")
	}
	if inv.Settings, err = buildSettings(f, spec, set); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(b.inputs) {
		in, err := b.inputs[name].finalize()
		if err != nil {
			return nil, err
		}
		inv.Inputs = append(inv.Inputs, in)
	}
	for _, name := range sortedKeys(b.outputs) {
		out, err := b.outputs[name].finalize(inv.Settings)
		if err != nil {
			return nil, err
		}
		inv.Outputs = append(inv.Outputs, out)
	}
	return inv, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// buildSettings layers file settings, --set settings and the dedicated
// flags. A dedicated flag and the same --set key together are refused
// rather than silently ranked.
func buildSettings(f Flags, spec *FileSpec, set *SetOverrides) (Settings, error) {
	s := mergeSettings(spec.Settings, set.Settings)
	flags := []struct {
		flag, key string
		v         *int64
		viaSet    *int64
	}{
		{"--mini-batch-size", KeyMiniBatchSize, f.MiniBatchSize, set.Settings.MiniBatchSize},
		{"--instance-count", KeyInstanceCount, f.InstanceCount, set.Settings.InstanceCount},
	}
	for _, fl := range flags {
		if fl.v == nil {
			continue
		}
		if fl.viaSet != nil {
			return Settings{}, clierr.Usagef("%s and --set %s are both given; keep one", fl.flag, fl.key)
		}
		if err := setIntSetting(&s, fl.key, *fl.v); err != nil {
			return Settings{}, clierr.Usagef("%s %v", fl.flag, err)
		}
	}
	return s, nil
}
