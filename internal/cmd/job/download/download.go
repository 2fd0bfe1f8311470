// Package download implements `ml job download`.
package download

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/output"
)

// Options are the parsed flags of `ml job download`.
type Options struct {
	// Name is the job (-n/--name, required).
	Name string
	// DownloadPath is the destination folder (-p/--download-path); "."
	// when not given. It is created when missing.
	DownloadPath string
	// OutputName selects one output (--output-name); empty downloads
	// every output.
	OutputName string
	// All downloads every output (--all), as az's flag; it is also what
	// happens without --output-name.
	All bool
}

// terminalOrder is the SDK's RunHistoryConstants.TERMINAL_STATUSES, in its
// order, for its message.
var terminalOrder = []string{"Completed", "Failed", "Canceled", "NotResponding", "Paused"}

// NewCmdDownload returns `ml job download`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdDownload(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "download",
		Short: "Download the outputs of a finished job",
		Long: `Download the output files of a job that has ended (Completed, Failed,
Canceled, NotResponding or Paused; a running job is refused with the SDK's
message). The layout is az's: the output of a model deployment's batch job
(its score folder, with predictions.csv) lands directly in --download-path;
the outputs of other jobs (pipeline component deployments) land in
<download-path>/named-outputs/<output name>.

Files are downloaded several at a time (` + azml.EnvDownloadConcurrency + `, default 16),
streamed to a hidden temporary file and renamed when complete, so an
interrupted download never leaves a partial file under a final name; blobs
that carry a Content-MD5 are checked against it. Existing files of the same
name are replaced. A summary goes to stderr; stdout stays empty unless -o,
--query or --jq asks for the list of files. A download that finds no file is
an error (exit 1).`,
		Example: `  ml job download -n $JOB
  ml job download -n $JOB --download-path ./results && head results/predictions.csv
  ml job download -n $JOB --output-name score -p ./results
  ML_DOWNLOAD_CONCURRENCY=64 ml job download -n $JOB --all -p ./results -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && opts.OutputName != "" {
				return clierr.Usagef("--all and --output-name cannot be used together; --all already includes output %s", opts.OutputName)
			}
			if strings.TrimSpace(opts.DownloadPath) == "" {
				return clierr.Usagef("--download-path is empty; pass a folder (default: the current folder)")
			}
			if runF != nil {
				return runF(opts)
			}
			return downloadRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the job (required)")
	fl.StringVarP(&opts.DownloadPath, "download-path", "p", ".", "Folder to download the job's files to (created when missing)")
	fl.StringVar(&opts.OutputName, "output-name", "", "Name of the one output to download (default: every output)")
	fl.BoolVar(&opts.All, "all", false, "Download every output of the job")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// outputResult is what one output contributed.
type outputResult struct {
	Name  string                `json:"name"`
	Dir   string                `json:"downloadPath"`
	Files []azml.DownloadedFile `json:"files"`
	Bytes int64                 `json:"bytes"`
}

// result is what -o/--query prints.
type result struct {
	Job     string         `json:"name"`
	Outputs []outputResult `json:"outputs"`
	Files   int            `json:"fileCount"`
	Bytes   int64          `json:"bytes"`
}

func downloadRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	concurrency, err := azml.DownloadConcurrency(f.Getenv)
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	j, err := c.GetJob(ctx, opts.Name)
	if err != nil {
		return err
	}
	status := azml.JobStatus(j)
	if status == "" {
		return fmt.Errorf("job %q has no status in the service's answer, so its outputs cannot be downloaded; check the name with `ml job show -n %s`", opts.Name, opts.Name)
	}
	if !azml.TerminalStatuses[status] {
		return fmt.Errorf("This job is in state %s. Download is allowed only in states ['%s']; wait for it with `ml job stream -n %s`",
			status, strings.Join(terminalOrder, "', '"), opts.Name)
	}
	outs, err := c.JobOutputs(ctx, opts.Name)
	if err != nil {
		return err
	}
	tags := map[string]string{}
	if j.Properties != nil {
		for k, v := range j.Properties.GetJobBaseProperties().Tags {
			if v != nil {
				tags[k] = *v
			}
		}
	}
	targets, err := planTargets(opts.Name, isModelBatchJob(tags), outs, opts.DownloadPath, opts.OutputName)
	if err != nil {
		return err
	}
	res := result{Job: opts.Name, Outputs: []outputResult{}}
	var empty []string
	for _, t := range targets {
		dl, err := c.DownloadOutput(ctx, t.Output, t.Dir, azml.DownloadOptions{
			Concurrency: concurrency,
			OnFile: func(file azml.DownloadedFile) {
				f.Info("downloaded %s (%s)", file.Path, output.Bytes(file.Bytes))
			},
		})
		if err != nil {
			return fmt.Errorf("job %s, output %s: %w", opts.Name, t.Output.Name, err)
		}
		if len(dl.Files) == 0 {
			empty = append(empty, fmt.Sprintf("%s (azureml://datastores/%s/paths/%s)", t.Output.Name, datastoreOf(t.Output), t.Output.Path))
			continue
		}
		res.Outputs = append(res.Outputs, outputResult{Name: t.Output.Name, Dir: t.Dir, Files: dl.Files, Bytes: dl.Bytes})
		res.Files += len(dl.Files)
		res.Bytes += dl.Bytes
		summary(f, "Downloaded output %s of job %s: %d %s, %s, to %s", t.Output.Name, opts.Name, len(dl.Files), plural(len(dl.Files), "file"), output.Bytes(dl.Bytes), t.Dir)
	}
	if status == "Failed" {
		reason := failureReason(ctx, c, opts.Name)
		if res.Files == 0 {
			return fmt.Errorf("job %s failed, so output %s has no files%s", opts.Name, strings.Join(empty, ", output "), reason)
		}
		f.Warn("job %s failed; what was downloaded may be incomplete%s", opts.Name, reason)
	}
	if res.Files == 0 {
		return fmt.Errorf("job %s: nothing was downloaded: output %s has no files (a scoring script with output_action summary_only writes none unless it saves files itself)", opts.Name, strings.Join(empty, ", output "))
	}
	for _, e := range empty {
		f.Warn("job %s: output %s has no files", opts.Name, e)
	}
	if g := f.Globals; g.Output != "" || g.Query != "" || g.JQ != "" {
		return f.Print(res)
	}
	return nil
}

// failureReason says why a job failed and where its error is, for messages.
func failureReason(ctx context.Context, c *azml.Client, job string) string {
	var why string
	if e := c.JobFailure(ctx, job); e != nil {
		why = ": " + firstLine(e.Message)
	}
	return fmt.Sprintf("%s. The job's error is in its logs/user/error.txt: `ml job stream -n %s` prints it, `ml job show -n %s --query error.message -o tsv` shows the reason", why, job, job)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func datastoreOf(o azml.JobOutput) string {
	if o.Datastore == "" {
		return azml.DefaultDatastore
	}
	return o.Datastore
}

// summary prints a line on stderr unless --only-show-errors is set.
func summary(f *cmdutil.Factory, format string, args ...any) {
	if f.Globals != nil && f.Globals.OnlyShowErrors {
		return
	}
	fmt.Fprintf(f.IOStreams.ErrOut, format+"\n", args...)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
