// Package show implements `ml compute show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml compute show`.
type Options struct {
	// Name is the compute (-n/--name, required).
	Name string
}

// NewCmdShow returns `ml compute show`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a compute",
		Long: `Show a compute with az's output keys: name, id, type, location,
provisioning_state, size, tier, min_instances, max_instances,
idle_time_before_scale_down, ssh_public_access_enabled, enable_node_public_ip,
identity, tags. A missing compute exits 3.`,
		Example: `  ml compute show -n batch-cluster
  ml compute show -n batch-cluster --query provisioning_state -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the compute (required)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	got, err := c.GetCompute(ctx, opts.Name)
	if err != nil {
		return err
	}
	return f.Print(azml.ComputeView(got))
}
