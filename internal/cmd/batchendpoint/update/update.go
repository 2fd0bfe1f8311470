// Package update implements `ml batch-endpoint update`.
package update

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml batch-endpoint update`.
type Options struct {
	// Name is the endpoint (-n/--name); with --file it overrides name:.
	Name string
	// File is a full endpoint YAML (-f/--file); without it the endpoint as
	// it is gets the --set changes.
	File string
	// Set are the --set KEY=VALUE changes.
	Set []string
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdUpdate returns `ml batch-endpoint update`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdUpdate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a batch endpoint",
		Long: `Update a batch endpoint. Without --file the endpoint is read, --set is
applied to its YAML form (defaults.deployment_name, description, tags.<key>,
properties.<key>, auth_mode ...) and the result is checked and written back,
as az's generic update does. With --file the file replaces the endpoint's
settings, like create. Waits for the update unless --no-wait.`,
		Example: `  ml batch-endpoint update -n heart-classifier --set defaults.deployment_name=classifier-xgboost
  ml batch-endpoint update -n heart-classifier --set description="UCI heart disease" tags.owner=ml-team
  ml batch-endpoint update -f endpoint.yml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.File == "" && opts.Name == "":
				return clierr.Usagef("name the endpoint with --name/-n (or give its YAML with --file/-f)")
			case opts.File == "" && len(opts.Set) == 0:
				return clierr.Usagef("nothing to update: pass --set KEY=VALUE (e.g. --set defaults.deployment_name=<deployment>) or --file")
			}
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the batch endpoint")
	fl.StringVarP(&opts.File, "file", "f", "", "Batch endpoint YAML file with the new settings; - reads standard input")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE changes, e.g. --set defaults.deployment_name=blue")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	cmdutil.MarkNargsPlus(cmd, "set")
	return cmd
}

func updateRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	var flags []spec.Override
	if opts.Name != "" && opts.File != "" {
		flags = append(flags, spec.Flag("--name", "name", opts.Name))
	}
	overrides, err := manage.Overrides(opts.Set, flags...)
	if err != nil {
		return err
	}
	if opts.File != "" {
		e, err := spec.LoadEndpoint(ctx, opts.File, f.IOStreams.In, overrides)
		if err != nil {
			return err
		}
		c, err := f.Client()
		if err != nil {
			return err
		}
		current, err := c.GetEndpoint(ctx, e.Name)
		if err != nil {
			return err
		}
		return manage.PutEndpoint(ctx, f, e, "Updating", opts.NoWait, current)
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	current, err := c.GetEndpoint(ctx, opts.Name)
	if err != nil {
		return err
	}
	e, err := spec.EndpointFromDoc(opts.Name, manage.EndpointDoc(current), overrides)
	if err != nil {
		return err
	}
	return manage.PutEndpoint(ctx, f, e, "Updating", opts.NoWait, current)
}
