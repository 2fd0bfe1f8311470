// Package job is the `ml job` noun: the jobs a batch endpoint invocation
// creates (and any other job of the workspace).
package job

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/job/cancel"
	"github.com/mlbatch/ml/internal/cmd/job/create"
	"github.com/mlbatch/ml/internal/cmd/job/download"
	"github.com/mlbatch/ml/internal/cmd/job/list"
	"github.com/mlbatch/ml/internal/cmd/job/show"
	"github.com/mlbatch/ml/internal/cmd/job/stream"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdJob returns `ml job` with its verbs.
func NewCmdJob(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job <command>",
		Short: "Create, show, follow, cancel and download jobs",
		Long: `Work with the jobs 'ml batch-endpoint invoke' creates, and pipeline or command
jobs 'ml job create -f' submits: show one, list them, stream one to its end,
cancel one, download its outputs. The commands and
their flags are az ml job's.`,
		Example: `  JOB=$(ml batch-endpoint invoke -n heart-classifier --input ./data --query name -o tsv)
  ml job stream -n $JOB
  ml job show -n $JOB --query status -o tsv
  ml job download -n $JOB --download-path ./results`,
	}
	cmd.AddCommand(
		create.NewCmdCreate(f, nil),
		show.NewCmdShow(f, nil),
		list.NewCmdList(f, nil),
		stream.NewCmdStream(f, nil),
		cancel.NewCmdCancel(f, nil),
		download.NewCmdDownload(f, nil),
	)
	return cmd
}
