// Package show implements `ml batch-endpoint show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml batch-endpoint show`.
type Options struct {
	// Name is the endpoint (-n/--name, required).
	Name string
}

// NewCmdShow returns `ml batch-endpoint show`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a batch endpoint",
		Long: `Show a batch endpoint with az's output keys (snake_case: scoring_uri,
defaults.deployment_name, auth_mode, provisioning_state ...), so --query
paths written for az work unchanged. A missing endpoint exits 3.`,
		Example: `  ml batch-endpoint show -n heart-classifier
  SCORING_URI=$(ml batch-endpoint show -n heart-classifier --query scoring_uri -o tsv)
  ml batch-endpoint show -n heart-classifier --query defaults.deployment_name -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the batch endpoint (required)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	ep, err := c.GetEndpoint(ctx, opts.Name)
	if err != nil {
		return err
	}
	return f.Print(azml.EndpointView(ep))
}
