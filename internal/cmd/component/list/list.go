// Package list implements `ml component list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml component list`.
type Options struct {
	// Name lists the versions of one component (-n/--name); empty lists
	// the components.
	Name string
	// MaxResults caps the list (-r/--max-results); 0 lists everything.
	MaxResults int
	// IncludeArchived lists archived ones too; ArchivedOnly only them.
	IncludeArchived, ArchivedOnly bool
}

// View is the listing the flags ask for.
func (o *Options) View() azml.ListView {
	switch {
	case o.ArchivedOnly:
		return azml.ArchivedOnly
	case o.IncludeArchived:
		return azml.AllAssets
	}
	return azml.ActiveOnly
}

// NewCmdList returns `ml component list`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List components, or the versions of one",
		Long: `Without --name, list the workspace's components (name, latest_version,
description, tags ...). With --name, list every version of that component
with the keys of 'ml component show'; an unknown name exits 3. Archived
components are left out unless --include-archived or --archived-only.`,
		Example: `  ml component list --query "[].{name:name, latest:latest_version}" -o table
  ml component list -n hello_batch --query "[].version" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxResults < 0 {
				return clierr.Usagef("--max-results %d: must be positive (omit it to list everything)", opts.MaxResults)
			}
			if opts.IncludeArchived && opts.ArchivedOnly {
				return clierr.Usagef("--include-archived and --archived-only cannot be used together; pass one of them")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of a component: list its versions instead of the components")
	fl.IntVarP(&opts.MaxResults, "max-results", "r", 0, "Max number of results to return (default: all)")
	fl.BoolVar(&opts.IncludeArchived, "include-archived", false, "List archived components and active components")
	fl.BoolVar(&opts.ArchivedOnly, "archived-only", false, "List archived components only")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	views := []map[string]any{}
	if opts.Name == "" {
		containers, err := c.ListComponentContainers(ctx, opts.MaxResults, opts.View())
		if err != nil {
			return err
		}
		for _, cc := range containers {
			if cc != nil {
				views = append(views, azml.ComponentContainerView(cc))
			}
		}
		return f.Print(views)
	}
	versions, err := c.ListComponentVersions(ctx, opts.Name, opts.MaxResults, opts.View())
	if err != nil {
		return err
	}
	for _, cv := range versions {
		if cv != nil {
			views = append(views, azml.ComponentView(cv))
		}
	}
	return f.Print(views)
}
