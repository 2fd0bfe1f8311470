package cmdutil

import (
	"github.com/mlbatch/ml/internal/config"
	"github.com/mlbatch/ml/internal/output"
)

// OutputOptions resolves -o/--query/--jq: an -o flag wins, then
// AZURE_CORE_OUTPUT, then [core] output in az's config file, then json.
func (f *Factory) OutputOptions() (output.Options, error) {
	g := f.Globals
	opts := output.Options{Format: g.Output, Query: g.Query, JQ: g.JQ, Color: f.IOStreams.ColorEnabled()}
	if opts.Format == "" {
		if cfg, err := f.Config(); err == nil {
			opts.Format = cfg.Get(config.KeyOutput)
		}
	}
	if opts.Format == "" {
		opts.Format = "json"
	}
	return opts, opts.Validate()
}

// Print writes a command's result to stdout in the chosen output format.
func (f *Factory) Print(v any) error {
	opts, err := f.OutputOptions()
	if err != nil {
		return err
	}
	return output.Write(f.IOStreams.Out, v, opts)
}
