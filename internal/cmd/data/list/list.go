// Package list implements `ml data list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml data list`.
type Options struct {
	// Name lists the versions of one data asset (-n/--name); empty lists
	// the assets.
	Name string
	// MaxResults caps the list (-r/--max-results); 0 lists everything.
	MaxResults int
}

// NewCmdList returns `ml data list`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List data assets, or the versions of one",
		Long: `Without --name, list the workspace's data assets (name, latest_version, type,
description, tags ...). With --name, list every version of that asset with
the keys of 'ml data show'; an unknown name exits 3.`,
		Example: `  ml data list --query "[].{name:name, latest:latest_version}" -o table
  ml data list -n heart-unlabeled --query "[].version" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxResults < 0 {
				return clierr.Usagef("--max-results %d: must be positive (omit it to list everything)", opts.MaxResults)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of a data asset: list its versions instead of the assets")
	fl.IntVarP(&opts.MaxResults, "max-results", "r", 0, "Max number of results to return (default: all)")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	views := []map[string]any{}
	if opts.Name == "" {
		containers, err := c.ListDataContainers(ctx, opts.MaxResults)
		if err != nil {
			return err
		}
		for _, d := range containers {
			if d != nil {
				views = append(views, azml.DataContainerView(d))
			}
		}
		return f.Print(views)
	}
	versions, err := c.ListDataVersions(ctx, opts.Name, opts.MaxResults)
	if err != nil {
		return err
	}
	for _, d := range versions {
		if d != nil {
			views = append(views, azml.DataView(d))
		}
	}
	return f.Print(views)
}
