// Package environment is the `ml environment` noun: the environments batch
// deployments run in.
package environment

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/environment/archive"
	"github.com/mlbatch/ml/internal/cmd/environment/create"
	"github.com/mlbatch/ml/internal/cmd/environment/list"
	"github.com/mlbatch/ml/internal/cmd/environment/restore"
	"github.com/mlbatch/ml/internal/cmd/environment/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdEnvironment returns `ml environment` with its verbs.
func NewCmdEnvironment(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "environment <command>",
		Short: "Manage environments",
		Long: `Environments (a Docker image with a conda file, or a build context) are what
batch deployments run in on Azure; deployments reference them as
azureml:<name>@latest or azureml:<name>:<version>. The local workspace
records them and runs with the local Python.`,
		Example: `  ml environment create -f environment/xgboost-sklearn-py38.yml
  ml environment show -n xgboost-sklearn-py38 --label latest
  ml environment archive -n xgboost-sklearn-py38 --version 1`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil), show.NewCmdShow(f, nil), list.NewCmdList(f, nil),
		archive.NewCmdArchive(f, nil), restore.NewCmdRestore(f, nil))
	return cmd
}
