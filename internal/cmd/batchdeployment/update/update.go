// Package update implements `ml batch-deployment update`.
package update

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml batch-deployment update`.
type Options struct {
	// Name and EndpointName name the deployment (-n, -e); with --file
	// they override the file.
	Name, EndpointName string
	// File is a full deployment YAML (-f/--file); without it the
	// deployment as it is gets the --set changes.
	File string
	// Set are the --set KEY=VALUE changes.
	Set []string
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdUpdate returns `ml batch-deployment update`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdUpdate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a batch deployment",
		Long: `Update a batch deployment. Without --file the deployment is read, --set is
applied to its YAML form (settings.mini_batch_size, settings.retry_settings.timeout,
resources.instance_count, environment_variables.<name>, description ...), and
the result is checked and written back, as az's generic update does. With
--file the file replaces the deployment's settings, like create (local code,
model and environment are registered again when they changed). Waits unless
--no-wait.`,
		Example: `  ml batch-deployment update -e heart-classifier -n classifier-logreg --set settings.mini_batch_size=20
  ml batch-deployment update -e heart-classifier -n classifier-logreg --set resources.instance_count=2 settings.max_concurrency_per_instance=4
  ml batch-deployment update -f deployment.yml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.File == "" && (opts.Name == "" || opts.EndpointName == ""):
				return clierr.Usagef("name the deployment with --name/-n and --endpoint-name/-e (or give its YAML with --file/-f)")
			case opts.File == "" && len(opts.Set) == 0:
				return clierr.Usagef("nothing to update: pass --set KEY=VALUE (e.g. --set settings.mini_batch_size=20) or --file")
			}
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the deployment")
	fl.StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint")
	fl.StringVarP(&opts.File, "file", "f", "", "Batch deployment YAML file with the new settings; - reads standard input")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE changes, e.g. --set settings.mini_batch_size=20")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.AddNoCacheFlag(cmd, f)
	return cmd
}

func updateRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	var flags []spec.Override
	if opts.File != "" {
		if opts.Name != "" {
			flags = append(flags, spec.Flag("--name", "name", opts.Name))
		}
		if opts.EndpointName != "" {
			flags = append(flags, spec.Flag("--endpoint-name", "endpoint_name", strings.ToLower(opts.EndpointName)))
		}
	}
	overrides, err := manage.Overrides(opts.Set, flags...)
	if err != nil {
		return err
	}
	if opts.File != "" {
		d, err := spec.LoadDeployment(ctx, opts.File, f.IOStreams.In, overrides)
		if err != nil {
			return err
		}
		return manage.PutDeployment(ctx, f, d, "Updating", opts.NoWait, false)
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	current, err := c.GetDeployment(ctx, opts.EndpointName, opts.Name)
	if err != nil {
		return err
	}
	d, err := spec.DeploymentFromDoc(ctx, opts.Name, manage.DeploymentDoc(current, opts.EndpointName), overrides)
	if err != nil {
		return err
	}
	return manage.PutDeployment(ctx, f, d, "Updating", opts.NoWait, false)
}
