// Package show implements `ml batch-deployment show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml batch-deployment show`.
type Options struct {
	// Name and EndpointName name the deployment (-n, -e; required).
	Name, EndpointName string
}

// NewCmdShow returns `ml batch-deployment show`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a batch deployment",
		Long: `Show a batch deployment with az's output keys (snake_case: settings.mini_batch_size,
code_configuration.scoring_script, provisioning_state ...). A missing
deployment exits 3.`,
		Example: `  ml batch-deployment show -e heart-classifier -n classifier-logreg
  ml batch-deployment show -e heart-classifier -n classifier-logreg --query provisioning_state -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the deployment (required)")
	fl.StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint (required)")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("endpoint-name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	d, err := c.GetDeployment(ctx, opts.EndpointName, opts.Name)
	if err != nil {
		return err
	}
	return f.Print(azml.DeploymentView(d))
}
