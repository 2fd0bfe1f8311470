// Package delete implements `ml datastore delete`.
package delete

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml datastore delete`.
type Options struct {
	// Name is the datastore (-n/--name, required).
	Name string
}

// NewCmdDelete returns `ml datastore delete`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdDelete(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a datastore",
		Long: `Delete a datastore: the workspace forgets it and its secret; the storage
account, the container and the data stay. As az, it asks no confirmation
and prints nothing. Deleting a datastore that is not there succeeds, as
on Azure, which answers 204 (so a retried delete is harmless).
The workspace's own workspaceblobstore cannot be deleted on the local
workspace.`,
		Example: `  ml datastore delete -n blob_example`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the datastore (required)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func deleteRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	return c.DeleteDatastore(ctx, opts.Name)
}
