// Package listjobs implements `ml batch-endpoint list-jobs`.
package listjobs

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// Options are the parsed flags of `ml batch-endpoint list-jobs`.
type Options struct {
	// Name is the endpoint (-n/--name, required).
	Name string
	// Deployment limits the list to one deployment's jobs
	// (-d/--deployment-name); empty lists them all.
	Deployment string
}

// NewCmdListJobs returns `ml batch-endpoint list-jobs`. runF replaces the
// run function in tests that only check flag parsing.
func NewCmdListJobs(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list-jobs",
		Short: "List the jobs of a batch endpoint",
		Long: `List the jobs of a batch endpoint as the batch data plane returns them
(the BatchJobResource objects az prints: name, id, properties.status,
properties.inputData ...). -d/--deployment-name keeps one deployment's jobs;
az declares that flag but cannot use it. Follow one job with
'ml job show -n <name>' or 'ml job stream -n <name>'.`,
		Example: `  ml batch-endpoint list-jobs -n heart-classifier
  ml batch-endpoint list-jobs -n heart-classifier -d classifier-xgboost --query "[].name" -o tsv
  ml batch-endpoint list-jobs -n heart-classifier --query "[?properties.status=='Failed'].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listJobsRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the batch endpoint (required)")
	fl.StringVarP(&opts.Deployment, "deployment-name", "d", "", "Only list the jobs of this deployment")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func listJobsRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	// Checking the endpoint first turns a typo into "not found" (exit 3)
	// rather than an empty list.
	if _, err := c.GetEndpoint(ctx, opts.Name); err != nil {
		return err
	}
	if opts.Deployment != "" {
		if _, err := c.ValidateDeployment(ctx, opts.Name, opts.Deployment); err != nil {
			return err
		}
	}
	jobs, err := c.ListBatchJobs(ctx, opts.Name, opts.Deployment)
	if err != nil {
		return err
	}
	if jobs == nil {
		jobs = []mlapi.BatchJobResource{}
	}
	return f.Print(jobs)
}
