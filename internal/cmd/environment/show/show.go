// Package show implements `ml environment show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml environment show`. Exactly one of
// Version and Label is set.
type Options struct {
	// Name is the environment (-n/--name, required).
	Name string
	// Version is the version to show (-v/--version).
	Version string
	// Label is the label to resolve (-l/--label): latest.
	Label string
}

// NewCmdShow returns `ml environment show`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a version of an environment",
		Long: `Show one version of an environment, chosen with --version or with --label
latest (exactly one of the two), with az's output keys: name, version,
image, conda_file, build, os_type, inference_config, description, tags, id
and creation_context. A missing environment or version exits 3.`,
		Example: `  ml environment show -n xgboost-sklearn-py38 --version 1
  ml environment show -n xgboost-sklearn-py38 --label latest --query image -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := manage.VersionOrLabel(opts.Version, opts.Label); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the environment (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version of the environment; not with --label")
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the environment (latest); not with --version")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	version := opts.Version
	if version == "" {
		if version, err = c.EnvironmentVersionByLabel(ctx, opts.Name, opts.Label); err != nil {
			return err
		}
	}
	e, err := c.GetEnvironmentVersion(ctx, opts.Name, version)
	if err != nil {
		return err
	}
	return f.Print(azml.EnvironmentView(e))
}
