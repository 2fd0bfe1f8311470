// Package listjobs implements `ml batch-deployment list-jobs`.
package listjobs

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// Options are the parsed flags of `ml batch-deployment list-jobs`.
type Options struct {
	// Name and EndpointName name the deployment (-n, -e; required).
	Name, EndpointName string
}

// NewCmdListJobs returns `ml batch-deployment list-jobs`. runF replaces
// the run function in tests that only check flag parsing.
func NewCmdListJobs(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list-jobs",
		Short: "List the jobs of a batch deployment",
		Long: `List the jobs a batch deployment ran, as the batch data plane returns them
(the BatchJobResource objects az prints). Follow one with
'ml job show -n <name>' or 'ml job stream -n <name>'.`,
		Example: `  ml batch-deployment list-jobs -e heart-classifier -n classifier-logreg
  ml batch-deployment list-jobs -e heart-classifier -n classifier-logreg --query "[].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listJobsRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the deployment (required)")
	fl.StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint (required)")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("endpoint-name")
	return cmd
}

func listJobsRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	// One request, the one az sends: the data plane's list of the
	// deployment's jobs (an unknown endpoint or deployment is its 404).
	jobs, err := c.ListBatchJobs(ctx, opts.EndpointName, opts.Name)
	if err != nil {
		return err
	}
	if jobs == nil {
		jobs = []mlapi.BatchJobResource{}
	}
	return f.Print(jobs)
}
