package invoke

import (
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/invocation"
)

// mapDeprecated maps the 2021/2022 CLI spellings (--input-path folder:URI
// or file:URI, --input-local-path, --input-data) onto --input/--input-type,
// with a one-line warning each, so old pipelines keep running.
func mapDeprecated(f *cmdutil.Factory, opts *Options) error {
	type alias struct {
		flag, value string
	}
	var given []alias
	for _, a := range []alias{{"--input-path", opts.InputPath}, {"--input-local-path", opts.InputLocalPath}, {"--input-data", opts.InputData}} {
		if a.value != "" {
			given = append(given, a)
		}
	}
	if len(given) == 0 {
		return nil
	}
	if len(given) > 1 || opts.Flags.Input != "" {
		return clierr.Usagef("%s cannot be combined with --input or another deprecated input flag; keep only --input", given[0].flag)
	}
	a := given[0]
	input, inputType := a.value, ""
	if a.flag == "--input-path" {
		switch {
		case strings.HasPrefix(a.value, "folder:"):
			input, inputType = strings.TrimPrefix(a.value, "folder:"), invocation.TypeURIFolder
		case strings.HasPrefix(a.value, "file:"):
			input, inputType = strings.TrimPrefix(a.value, "file:"), invocation.TypeURIFile
		}
	}
	if inputType != "" && opts.Flags.InputType != "" && opts.Flags.InputType != inputType {
		return clierr.Usagef("%s %s says %s but --input-type says %s; keep one", a.flag, a.value, inputType, opts.Flags.InputType)
	}
	if opts.Flags.InputType == "" {
		opts.Flags.InputType = inputType
	}
	opts.Flags.Input = input
	suggestion := "--input " + input
	if inputType != "" {
		suggestion += " --input-type " + inputType
	}
	f.Warn("%s is deprecated; use %s", a.flag, suggestion)
	return nil
}
