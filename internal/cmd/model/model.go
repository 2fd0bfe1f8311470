// Package model is the `ml model` noun: the model versions batch
// deployments run.
package model

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/model/archive"
	"github.com/mlbatch/ml/internal/cmd/model/create"
	"github.com/mlbatch/ml/internal/cmd/model/list"
	"github.com/mlbatch/ml/internal/cmd/model/restore"
	"github.com/mlbatch/ml/internal/cmd/model/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdModel returns `ml model` with its verbs.
func NewCmdModel(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model <command>",
		Short: "Manage models",
		Long: `Models are versioned files (a custom model folder, an MLflow model, a Triton
model repository) that batch deployments reference as azureml:<name>@latest
or azureml:<name>:<version>.`,
		Example: `  ml model create --name heart-classifier --type mlflow_model --path model
  ml model show -n heart-classifier --label latest
  ml model list -n heart-classifier --query "[].version" -o tsv
  ml model archive -n heart-classifier --version 1`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil), show.NewCmdShow(f, nil), list.NewCmdList(f, nil),
		archive.NewCmdArchive(f, nil), restore.NewCmdRestore(f, nil))
	return cmd
}
