// Package list implements `ml model list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml model list`.
type Options struct {
	manage.AssetList
	// Registry lists a registry's models instead of the workspace's
	// (--registry-name).
	Registry string
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
models are left out unless --include-archived or --archived-only.

With --registry-name the models of that registry are listed (for example
azureml, the curated models), with no resource group or workspace needed.`,
		Example: `  ml model list --query "[].{name:name, latest:latest_version}" -o table
  ml model list -n heart-classifier --query "[].version" -o tsv
  ml model list -n heart-classifier --archived-only
  ml model list -n bert-base-uncased --registry-name azureml --query "[0].version" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			view, err := opts.View()
			if err != nil {
				return err
			}
			if opts.Registry != "" && opts.Name != "" && view != azml.ActiveOnly {
				return clierr.Usagef("--include-archived/--archived-only with --registry-name apply to the list of models, not to one model's versions; drop them or --name")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	opts.AddFlags(cmd, "a model", "models")
	cmd.Flags().StringVar(&opts.Registry, "registry-name", "", "Registry to list models from instead of the workspace (e.g. azureml)")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if opts.Registry != "" {
		return listRegistryRun(ctx, f, opts)
	}
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

func listRegistryRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	reg, err := manage.OpenRegistry(ctx, f, opts.Registry)
	if err != nil {
		return err
	}
	views := []map[string]any{}
	if opts.Name == "" {
		view, _ := opts.View()
		models, err := reg.ModelContainers(ctx, view, opts.MaxResults)
		if err != nil {
			return err
		}
		for _, m := range models {
			views = append(views, azml.RegistryModelContainerView(m))
		}
		return f.Print(views)
	}
	versions, err := reg.ModelVersions(ctx, opts.Name, opts.MaxResults)
	if err != nil {
		return err
	}
	for _, m := range versions {
		views = append(views, azml.RegistryModelView(m))
	}
	return f.Print(views)
}
