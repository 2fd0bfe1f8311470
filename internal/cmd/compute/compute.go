// Package compute is the `ml compute` noun: the clusters batch deployments
// name.
package compute

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/compute/create"
	"github.com/mlbatch/ml/internal/cmd/compute/delete"
	"github.com/mlbatch/ml/internal/cmd/compute/list"
	"github.com/mlbatch/ml/internal/cmd/compute/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdCompute returns `ml compute` with its verbs.
func NewCmdCompute(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "compute <command>",
		Short: "Manage compute clusters",
		Long: `Compute clusters (amlcompute) run batch deployments on Azure; deployments name
them with compute: azureml:<name>. The local workspace records them and runs
jobs on this machine.`,
		Example: `  ml compute create -n batch-cluster --type amlcompute --min-instances 0 --max-instances 5
  ml compute show -n batch-cluster --query provisioning_state -o tsv
  ml compute delete -n batch-cluster --yes`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil), show.NewCmdShow(f, nil), list.NewCmdList(f, nil), delete.NewCmdDelete(f, nil))
	return cmd
}
