// Package list implements `ml batch-deployment list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml batch-deployment list`.
type Options struct {
	// EndpointName is the endpoint (-e/--endpoint-name, required).
	EndpointName string
}

// NewCmdList returns `ml batch-deployment list`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the deployments of a batch endpoint",
		Long: `List the deployments of a batch endpoint, each as 'ml batch-deployment show'
prints it. A missing endpoint exits 3.`,
		Example: `  ml batch-deployment list -e heart-classifier
  ml batch-deployment list -e heart-classifier --query "[].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint (required)")
	_ = cmd.MarkFlagRequired("endpoint-name")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	// An unknown endpoint is "not found" (exit 3), not an empty list.
	if _, err := c.GetEndpoint(ctx, opts.EndpointName); err != nil {
		return err
	}
	deps, err := c.ListDeployments(ctx, opts.EndpointName)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(deps))
	for _, d := range deps {
		out = append(out, azml.DeploymentView(d))
	}
	return f.Print(out)
}
