// Package component is the `ml component` noun: the reusable steps
// pipelines and pipeline deployments run.
package component

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/component/archive"
	"github.com/mlbatch/ml/internal/cmd/component/create"
	"github.com/mlbatch/ml/internal/cmd/component/list"
	"github.com/mlbatch/ml/internal/cmd/component/show"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdComponent returns `ml component` with its verbs.
func NewCmdComponent(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "component <command>",
		Short: "Manage components",
		Long: `Components are versioned steps (command, parallel or pipeline) that pipeline
jobs and pipeline deployments run: azureml:<name>:<version> or
azureml:<name>@latest.`,
		Example: `  ml component create -f hello-component/hello.yml
  ml component show -n hello_batch --label latest
  ml component list --query "[].name" -o tsv`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(archive.NewCmdArchive(f, nil))
	return cmd
}
