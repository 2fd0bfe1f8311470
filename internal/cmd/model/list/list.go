// Package list implements `ml model list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml model list`.
type Options struct {
	manage.AssetList
}

// NewCmdList returns `ml model list`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List models, or the versions of one",
		Long: `Without --name, list the workspace's models (name, latest_version,
description, tags ...). With --name, list that model's versions, newest
first, with the keys of 'ml model show'; an unknown name exits 3. Archived
models are left out unless --include-archived or --archived-only.`,
		Example: `  ml model list --query "[].{name:name, latest:latest_version}" -o table
  ml model list -n heart-classifier --query "[].version" -o tsv
  ml model list -n heart-classifier --archived-only`,
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
	opts.AddFlags(cmd, "a model", "models")
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
		models, err := c.ListModelContainers(ctx, view, opts.MaxResults)
		if err != nil {
			return err
		}
		for _, m := range models {
			views = append(views, azml.ModelContainerView(m))
		}
		return f.Print(views)
	}
	versions, err := c.ListModelVersions(ctx, opts.Name, view, opts.MaxResults)
	if err != nil {
		return err
	}
	for _, m := range versions {
		views = append(views, azml.ModelView(m))
	}
	return f.Print(views)
}
