// Package data is the `ml data` noun: the data assets batch jobs take as
// input.
package data

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/data/create"
	"github.com/mlbatch/ml/internal/cmd/data/list"
	"github.com/mlbatch/ml/internal/cmd/data/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdData returns `ml data` with its verbs.
func NewCmdData(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data <command>",
		Short: "Manage data assets",
		Long: `Data assets name a file or folder on a datastore (or a URL) with a version, so
jobs can take azureml:<name>:<version> or azureml:<name>@latest as input.`,
		Example: `  ml data list
  ml data show -n heart-unlabeled --label latest
  ml batch-endpoint invoke -n heart-classifier --input azureml:heart-unlabeled@latest`,
	}
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	return cmd
}
