// Package list implements `ml batch-endpoint list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml batch-endpoint list` (none of its
// own; -g and -w are global).
type Options struct{}

// NewCmdList returns `ml batch-endpoint list`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the batch endpoints of the workspace",
		Long: `List every batch endpoint of the workspace, each with the keys of
'ml batch-endpoint show'. An empty workspace prints [].`,
		Example: `  ml batch-endpoint list
  ml batch-endpoint list --query "[].name" -o tsv
  ml batch-endpoint list --query "[?provisioning_state=='Succeeded'].{name:name, uri:scoring_uri}" -o table`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f)
		},
	}
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	eps, err := c.ListEndpoints(ctx)
	if err != nil {
		return err
	}
	views := make([]map[string]any, 0, len(eps))
	for _, ep := range eps {
		if ep != nil {
			views = append(views, azml.EndpointView(ep))
		}
	}
	return f.Print(views)
}
