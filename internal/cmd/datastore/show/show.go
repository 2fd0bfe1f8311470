// Package show implements `ml datastore show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml datastore show`.
type Options struct {
	// Name is the datastore (-n/--name, required).
	Name string
}

// NewCmdShow returns `ml datastore show`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a datastore",
		Long: `Show a datastore with az's output keys: name, type (azure_blob ...),
account_name, container_name, endpoint, protocol, credentials (its type
only), id. Account keys and SAS tokens are never shown. A missing datastore
exits 3.`,
		Example: `  ml datastore show -n workspaceblobstore
  ml datastore show -n workspaceblobstore --query "{account:account_name, container:container_name}"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the datastore (required)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	d, err := c.GetDatastore(ctx, opts.Name)
	if err != nil {
		return err
	}
	return f.Print(azml.DatastoreView(d))
}
