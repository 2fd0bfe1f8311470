// Package show implements `ml component show`.
package show

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
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
creation_context. A missing component or version exits 3.`,
		Example: `  ml component show -n hello_batch --version 1
  ml component show -n hello_batch --label latest --query inputs`,
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
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
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
