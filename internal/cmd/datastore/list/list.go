// Package list implements `ml datastore list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml datastore list`.
type Options struct {
	// MaxResults caps the list (-r/--max-results); 0 lists everything.
	MaxResults int
}

// NewCmdList returns `ml datastore list`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the workspace's datastores",
		Long:  `List the workspace's datastores with the keys of 'ml datastore show'; no secrets.`,
		Example: `  ml datastore list
  ml datastore list --query "[].{name:name, type:type, account:account_name}" -o table`,
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
	cmd.Flags().IntVarP(&opts.MaxResults, "max-results", "r", 0, "Max number of results to return (default: all)")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	stores, err := c.ListDatastores(ctx, opts.MaxResults)
	if err != nil {
		return err
	}
	views := make([]map[string]any, 0, len(stores))
	for _, d := range stores {
		if d != nil {
			views = append(views, azml.DatastoreView(d))
		}
	}
	return f.Print(views)
}
