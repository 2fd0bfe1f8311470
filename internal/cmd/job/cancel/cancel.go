// Package cancel implements `ml job cancel`.
package cancel

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml job cancel`.
type Options struct {
	// Name is the job (-n/--name, required).
	Name string
}

// NewCmdCancel returns `ml job cancel`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdCancel(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "cancel",
		Short: "Cancel a job and wait until the service has stopped it",
		Long: `Request cancellation of a job and wait for the service to accept it, as az
does (its long-running operation). Like az, nothing is printed on stdout; a
line on stderr gives the job's status afterwards.

A job that has already ended is left alone: ml says so on stderr and exits 0,
where az would send the cancel request anyway. A missing job exits 3.`,
		Example: `  ml job cancel -n $JOB
  ml job cancel -n $JOB && ml job show -n $JOB --query status -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Name, "name", "n", "", "Name of the job (required)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func cancelRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	j, err := c.GetJob(ctx, opts.Name)
	if err != nil {
		return err
	}
	if status := azml.JobStatus(j); azml.TerminalStatuses[status] {
		note(f, "Job %s has already ended (%s); nothing to cancel.", opts.Name, status)
		return nil
	}
	if err := c.CancelJob(ctx, opts.Name); err != nil {
		return err
	}
	status := "cancel requested"
	if j, err := c.GetJob(ctx, opts.Name); err == nil {
		status = azml.JobStatus(j)
	}
	note(f, "Job %s: %s.", opts.Name, status)
	return nil
}

// note prints one line on stderr unless --only-show-errors is set.
func note(f *cmdutil.Factory, format string, args ...any) {
	if f.Globals != nil && f.Globals.OnlyShowErrors {
		return
	}
	fmt.Fprintf(f.IOStreams.ErrOut, format+"\n", args...)
}
