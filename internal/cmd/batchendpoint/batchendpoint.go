// Package batchendpoint is the `ml batch-endpoint` noun.
package batchendpoint

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/batchendpoint/invoke"
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
	return cmd
}
