// Package create implements `ml batch-endpoint create`.
package create

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml batch-endpoint create`.
type Options struct {
	// File is the endpoint YAML (-f/--file); without it every key comes
	// from --name and --set.
	File string
	// Name overrides the file's name (-n/--name), lower-cased as az does.
	Name string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdCreate returns `ml batch-endpoint create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a batch endpoint from an Azure ML YAML file",
		Long: `Create (or update) a batch endpoint from the YAML file az takes
(batchEndpoint.schema.json: name, description, auth_mode, tags, properties,
defaults.deployment_name, identity). The file is checked before anything is
sent: an unknown key, a wrong type or a missing name is reported with the
file, the line and the fix. --name and --set override the file, as in az.
The command waits for the endpoint to be ready (a progress line on stderr)
unless --no-wait, and prints it as 'ml batch-endpoint show' does.`,
		Example: `  ml batch-endpoint create -f endpoint.yml
  ml batch-endpoint create -f endpoint.yml -n heart-classifier-2 --set description="second copy"
  ml batch-endpoint create -n heart-classifier --no-wait
  ml batch-endpoint create -f endpoint.yml --query scoring_uri -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" && opts.Name == "" {
				return clierr.Usagef("give the endpoint YAML with --file/-f, or at least --name/-n")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Batch endpoint YAML file (batchEndpoint.schema.json); - reads standard input")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the batch endpoint; overrides name: in the file")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set description=x defaults.deployment_name=blue")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	cmdutil.MarkNargsPlus(cmd, "set")
	return cmd
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	var flags []spec.Override
	if opts.Name != "" {
		// The service treats names case-insensitively; az lower-cases them.
		flags = append(flags, spec.Flag("--name", "name", strings.ToLower(opts.Name)))
	}
	overrides, err := manage.Overrides(opts.Set, flags...)
	if err != nil {
		return err
	}
	e, err := spec.LoadEndpoint(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	return manage.PutEndpoint(ctx, f, e, "Creating", opts.NoWait, nil)
}
