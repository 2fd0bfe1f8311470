// Package batchdeployment is the `ml batch-deployment` noun.
package batchdeployment

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/batchdeployment/create"
	deletecmd "github.com/mlbatch/ml/internal/cmd/batchdeployment/delete"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/list"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/listjobs"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/show"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/update"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdBatchDeployment returns `ml batch-deployment` with its verbs.
func NewCmdBatchDeployment(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batch-deployment <command>",
		Short: "Manage the deployments of batch endpoints",
		Long: `A batch deployment is what a batch endpoint runs: a scoring script over a
model (type: model) or a pipeline component (type: pipeline). Create one from
the YAML file az takes; its code, model and environment are registered as az
registers them.`,
		Example: `  ml batch-deployment create -f deployment.yml --set-default
  ml batch-deployment list -e heart-classifier -o table
  ml batch-deployment update -e heart-classifier -n classifier-logreg --set settings.mini_batch_size=20`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(update.NewCmdUpdate(f, nil))
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(deletecmd.NewCmdDelete(f, nil))
	cmd.AddCommand(listjobs.NewCmdListJobs(f, nil))
	return cmd
}
