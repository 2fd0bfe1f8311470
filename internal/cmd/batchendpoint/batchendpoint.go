// Package batchendpoint is the `ml batch-endpoint` noun.
package batchendpoint

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/batchendpoint/create"
	deletecmd "github.com/mlbatch/ml/internal/cmd/batchendpoint/delete"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint/invoke"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint/list"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint/listjobs"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint/show"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint/update"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdBatchEndpoint returns `ml batch-endpoint` with its verbs.
func NewCmdBatchEndpoint(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "batch-endpoint <command>",
		Short:   "Invoke and inspect batch endpoints",
		Example: "  ml batch-endpoint invoke -n my-endpoint --input ./data\n  ml batch-endpoint show -n my-endpoint --query scoring_uri -o tsv",
	}
	cmd.AddCommand(invoke.NewCmdInvoke(f, nil))
	cmd.AddCommand(show.NewCmdShow(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(listjobs.NewCmdListJobs(f, nil))
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(update.NewCmdUpdate(f, nil))
	cmd.AddCommand(deletecmd.NewCmdDelete(f, nil))
	return cmd
}
