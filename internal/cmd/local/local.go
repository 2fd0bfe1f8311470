// Package local is the `ml local` noun: the local workspace server.
package local

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/local/serve"
	"github.com/mlbatch/ml/internal/cmd/local/status"
	"github.com/mlbatch/ml/internal/cmd/local/stop"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdLocal returns `ml local` with its verbs.
func NewCmdLocal(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "local <command>",
		Short: "Run a local workspace that speaks Azure ML's batch APIs",
		Long: `The local workspace is an HTTP server on 127.0.0.1 that speaks the wire shapes
of the Azure ML control plane, batch scoring URIs and Blob storage, and runs
batch deployments' scoring scripts on this machine. Point any ml command at it
with --local (or ML_LOCAL=1, or ml configure --defaults local=true).`,
		Example: "  ml local serve --detach\n  ml local status\n  ml batch-endpoint list --local -o table\n  ml local stop",
	}
	cmd.AddCommand(serve.NewCmdServe(f, nil), status.NewCmdStatus(f), stop.NewCmdStop(f))
	return cmd
}
