// Package list implements `ml environment list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml environment list`.
type Options struct {
	manage.AssetList
}

// NewCmdList returns `ml environment list`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List environments, or the versions of one",
		Long: `Without --name, list the workspace's environments (name, latest_version,
description, tags ...). With --name, list that environment's versions,
newest first, with the keys of 'ml environment show'. Archived ones are left
out unless --include-archived or --archived-only.`,
		Example: `  ml environment list --query "[].name" -o tsv
  ml environment list -n xgboost-sklearn-py38 --query "[].version" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := opts.View(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	opts.AddFlags(cmd, "an environment", "environments")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	view, _ := opts.View()
	views := []map[string]any{}
	if opts.Name == "" {
		envs, err := c.ListEnvironmentContainers(ctx, view, opts.MaxResults)
		if err != nil {
			return err
		}
		for _, e := range envs {
			views = append(views, azml.EnvironmentContainerView(e))
		}
		return f.Print(views)
	}
	versions, err := c.ListEnvironmentVersions(ctx, opts.Name, view, opts.MaxResults)
	if err != nil {
		return err
	}
	for _, e := range versions {
		views = append(views, azml.EnvironmentView(e))
	}
	return f.Print(views)
}
