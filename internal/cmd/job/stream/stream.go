// Package stream implements `ml job stream`.
package stream

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/follow"
	"github.com/mlbatch/ml/internal/ghactions"
)

// Options are the parsed flags of `ml job stream`.
type Options struct {
	// Name is the job (-n/--name, required).
	Name string
	// Timeout stops following after this long (the job goes on); zero
	// follows until the job ends.
	Timeout time.Duration
}

// NewCmdStream returns `ml job stream`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdStream(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "stream",
		Short: "Follow a job to its end: status, progress and logs",
		Long: `Follow a job until it ends, printing status changes, mini-batch progress and
the scoring script's log lines on stdout (as az does, so "> log" captures
them), then an execution summary (with the first user error when the job
failed). With -o jsonl each event is one JSON object per line instead, ending
with a "summary" object.

A job that has already ended prints its summary at once. The exit code is the
job's outcome: 0 Completed, 5 Failed, 6 Canceled, 7 when --timeout passes
first (the job goes on), 3 when there is no such job.`,
		Example: `  ml job stream -n $JOB
  ml job stream -n $JOB --timeout 30m || echo "job did not complete: exit $?"
  ml job stream -n $JOB -o jsonl | jq -c 'select(.type=="progress")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Timeout < 0 {
				return clierr.Usagef("--timeout %s: must be positive (e.g. 30m), or 0 to wait as long as the job runs", opts.Timeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return streamRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the job (required)")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "Stop following after this long (e.g. 30m) and exit 7; the job goes on")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func streamRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	// The ARM job first: a typo is "job not found" (exit 3), not a run
	// history error.
	if _, err := c.GetJob(ctx, opts.Name); err != nil {
		return err
	}
	mode := follow.Stream
	if f.Globals.Output == "jsonl" {
		mode = follow.JSONL
	}
	_, err = follow.Job(ctx, c, opts.Name, follow.Options{
		Mode:    mode,
		Timeout: opts.Timeout,
		Out:     f.IOStreams.Out,
		// On stdout, as az's stream_logs_until_completion writes it, so
		// `ml job stream -n J > log` captures the log.
		Text:    f.IOStreams.Out,
		Actions: ghactions.FromEnv(f.Getenv, f.IOStreams.ErrOut),
	})
	return err
}
