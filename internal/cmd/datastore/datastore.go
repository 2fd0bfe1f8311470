// Package datastore is the `ml datastore` noun: the storage locations a
// workspace reads inputs from and writes outputs to.
package datastore

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/datastore/create"
	"github.com/mlbatch/ml/internal/cmd/datastore/delete"
	"github.com/mlbatch/ml/internal/cmd/datastore/list"
	"github.com/mlbatch/ml/internal/cmd/datastore/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdDatastore returns `ml datastore` with its verbs.
func NewCmdDatastore(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "datastore <command>",
		Short: "Manage the workspace's datastores",
		Long: `Datastores are the storage accounts and containers a workspace is connected to.
Local inputs are uploaded to workspaceblobstore; batch jobs write their
outputs to a blob datastore; a datastore created with 'ml datastore create'
lets jobs read inputs from another account (azureml://datastores/<name>/paths/...).
Secrets are never shown.`,
		Example: `  ml datastore list -o table
  ml datastore show -n workspaceblobstore --query container_name -o tsv
  ml datastore create -f blob.yml
  ml datastore delete -n blob_example`,
	}
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(delete.NewCmdDelete(f, nil))
	return cmd
}
