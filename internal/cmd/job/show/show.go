// Package show implements `ml job show`.
package show

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml job show`.
type Options struct {
	// Name is the job (-n/--name, required).
	Name string
	// Web prints the job's studio URL (--web).
	Web bool
}

// NewCmdShow returns `ml job show`. runF replaces the run function in tests
// that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a job",
		Long: `Show a job with az's output keys (snake_case: status, display_name,
experiment_name, creation_context, inputs, outputs, tags ...). A failed job
also has error {code, message}: why it failed, from run history (az prints
no reason). A missing job exits 3.

With --web, the job's web view (services.Studio.endpoint) is printed on
stderr as well, where az would open it in a browser; ml opens no browser.
On Azure it is the job's page in Azure ML studio; on the local workspace it
is a page of the local server showing the job (status, inputs, outputs,
child jobs, logs), which opens in a browser without the bearer token.`,
		Example: `  ml job show -n $JOB
  ml job show -n $JOB --query status -o tsv
  ml job show -n $JOB --web
  ml job show -n $JOB --query tags
  ml job show -n $JOB --query error.message -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the job (required)")
	cmd.Flags().BoolVar(&opts.Web, "web", false, "Print the job's studio URL (ml opens no browser)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	j, err := c.GetJob(ctx, opts.Name)
	if err != nil {
		return err
	}
	v := azml.JobView(j)
	if azml.JobStatus(j) == "Failed" {
		if e := c.JobFailure(ctx, opts.Name); e != nil {
			v["error"] = e
		}
	}
	if opts.Web {
		// az warns the same way when the service lists no studio URL.
		if url := azml.StudioURL(j); url != "" {
			fmt.Fprintf(f.IOStreams.ErrOut, "Web view of job %s: %s\n", opts.Name, url)
		} else {
			f.Warn("Option --web was specified, but no studio URI was found in the list of services.")
		}
	}
	return f.Print(v)
}
