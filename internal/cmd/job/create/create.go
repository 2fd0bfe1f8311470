// Package create implements `ml job create`.
package create

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/follow"
	"github.com/mlbatch/ml/internal/ghactions"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml job create`.
type Options struct {
	// File is the job YAML (-f/--file, required).
	File string
	// Name overrides name: (-n/--name).
	Name string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
	// Stream follows the job to its end (-s/--stream).
	Stream bool
	// Web prints the job's web view (-e/--web).
	Web bool
	// SkipValidation is accepted for az compatibility; the file is always
	// checked (--skip-validation).
	SkipValidation bool
}

// NewCmdCreate returns `ml job create`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a job from a YAML file",
		Long: `Submit a pipeline job (type: pipeline, steps under jobs: or a pipeline
component under component:) or a command job from the YAML file az takes
(pipelineJob or commandJob schema). The whole file is checked first, with the
component files its steps name and every component it references: unknown
keys, wrong types, bindings to inputs or steps that do not exist and missing
local folders are reported with file, line and fix, and nothing is uploaded.
Then, as az does, local code and data are uploaded, inline environments and
the inline components of steps are registered (anonymously), and the job is
created: named by -n or name:, else a random friendly name. The job is
printed with az's keys; with --stream it is followed to its end first (the
stream on stderr, so --query name -o tsv still captures just the name) and
the exit code is its outcome: 0 Completed, 5 Failed, 6 Canceled.`,
		Example: `  ml job create -f pipeline-job.yml
  JOB=$(ml job create -f pipeline-job.yml --set inputs.score_mode=append --query name -o tsv)
  ml job create -f command-job.yml -n train_run_1 --stream`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Job YAML file (required)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the job; overrides name: in the file")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set inputs.score_mode=append")
	fl.BoolVarP(&opts.Stream, "stream", "s", false, "Follow the job to its end: status, progress and logs on stderr")
	fl.BoolVarP(&opts.Web, "web", "e", false, "Print the job's web view (Azure ML studio, or the local workspace's job page) on stderr")
	fl.BoolVar(&opts.SkipValidation, "skip-validation", false, "Accepted for az compatibility (the file is always checked before anything is uploaded)")
	cmdutil.MarkNargsPlus(cmd, "set")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	var flags []spec.Override
	if opts.Name != "" {
		flags = append(flags, spec.Flag("--name", "name", opts.Name))
	}
	overrides, err := manage.Overrides(opts.Set, flags...)
	if err != nil {
		return err
	}
	j, err := spec.LoadJob(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	manage.Notes(f, j.Notes)
	client, assets, err := manage.AssetClient(f)
	if err != nil {
		return err
	}
	job, err := assets.CreateJob(ctx, j)
	if err != nil {
		return err
	}
	name := ""
	if job.Name != nil {
		name = *job.Name
	}
	if opts.Web {
		if url := azml.StudioURL(job); url != "" {
			fmt.Fprintf(f.IOStreams.ErrOut, "Web view of job %s: %s\n", name, url)
		} else {
			f.Warn("Option --web was specified, but no studio URI was found in the list of services.")
		}
	}
	var ferr error
	if opts.Stream {
		_, ferr = follow.Job(ctx, client, name, follow.Options{
			Mode: follow.Stream, Out: f.IOStreams.Out, Text: f.IOStreams.ErrOut,
			Actions: ghactions.FromEnv(f.Getenv, f.IOStreams.ErrOut),
		})
		// The job as it ended, not as it was created.
		if got, err := client.GetJob(ctx, name); err == nil {
			job = got
		}
	}
	if err := f.Print(azml.JobView(job)); err != nil {
		return err
	}
	return ferr
}
