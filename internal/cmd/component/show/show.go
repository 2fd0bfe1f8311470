// Package show implements `ml component show`.
package show

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml component show`. Exactly one of
// Version and Label is set.
type Options struct {
	// Name is the component (-n/--name, required).
	Name string
	// Version is the version to show (-v/--version).
	Version string
	// Label is the label to resolve (-l/--label): latest.
	Label string
	// Registry shows the component of a registry instead of the
	// workspace's (--registry-name).
	Registry string
}

// NewCmdShow returns `ml component show`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a version of a component",
		Long: `Show one version of a component, chosen with --version or with --label latest
(exactly one of the two), as az prints it: the component's YAML keys (name,
version, type, inputs, outputs, command, code, environment, jobs ...) with
code and environment as the ids they were registered as, plus id and
creation_context. A missing component or version exits 3.

With --registry-name the component is read from that registry (for example
azureml) instead of a workspace, so no resource group or workspace is
needed; its id is the azureml://registries/... URI a job's component: takes.`,
		Example: `  ml component show -n hello_batch --version 1
  ml component show -n hello_batch --label latest --query inputs
  ml component show -n text_generation_pipeline --label latest --registry-name azureml --query id -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Version == "" && opts.Label == "":
				return clierr.Usagef("Must provide either version or label: pass --version <version> or --label latest")
			case opts.Version != "" && opts.Label != "":
				return clierr.Usagef("--version and --label cannot be used together; pass one of them")
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the component (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version of the component; not with --label")
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the component (latest); not with --version")
	fl.StringVar(&opts.Registry, "registry-name", "", "Registry to read the component from instead of the workspace (e.g. azureml)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if opts.Registry != "" {
		return showRegistryRun(ctx, f, opts)
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	var cv *armmachinelearning.ComponentVersion
	if opts.Version != "" {
		cv, err = c.GetComponentVersion(ctx, opts.Name, opts.Version)
	} else {
		cv, err = c.GetComponentByLabel(ctx, opts.Name, opts.Label)
	}
	if err != nil {
		return err
	}
	return f.Print(azml.ComponentView(cv))
}

func showRegistryRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	reg, err := manage.OpenRegistry(ctx, f, opts.Registry)
	if err != nil {
		return err
	}
	v, err := reg.ComponentVersion(ctx, opts.Name, opts.Version, opts.Label)
	if err != nil {
		return err
	}
	return f.Print(azml.RegistryComponentView(v))
}
