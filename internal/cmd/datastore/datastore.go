// Package datastore is the `ml datastore` noun: the storage locations a
// workspace reads inputs from and writes outputs to.
package datastore

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/datastore/list"
	"github.com/mlbatch/ml/internal/cmd/datastore/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdDatastore returns `ml datastore` with its verbs.
func NewCmdDatastore(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "datastore <command>",
		Short: "Show the workspace's datastores",
		Long: `Datastores are the storage accounts and containers a workspace is connected to.
Local inputs are uploaded to workspaceblobstore; batch jobs write their
outputs to a blob datastore. Secrets are never shown.`,
		Example: `  ml datastore list -o table
  ml datastore show -n workspaceblobstore --query container_name -o tsv`,
	}
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	return cmd
}
