// Package manage is what the create, update and delete verbs of batch
// endpoints, batch deployments and data assets share: the progress line
// while an operation runs, the delete confirmation, upload reporting, and
// the warnings about YAML keys that are accepted but not acted on.
package manage

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
	"github.com/mlbatch/ml/internal/upload"
	"github.com/mlbatch/ml/internal/uploadui"
)

// Overrides turns --set tokens and flag overrides into spec overrides,
// the --set ones first, so flags win as they do in az.
func Overrides(set []string, flags ...spec.Override) ([]spec.Override, error) {
	out, err := spec.ParseSet(set)
	if err != nil {
		return nil, err
	}
	return append(out, flags...), nil
}

// Progress draws the line shown on stderr while an operation runs: on a
// terminal it is redrawn each second with the time waited; elsewhere (CI
// logs) it is printed once when waiting starts and once at the end.
// --only-show-errors hides it.
type Progress struct {
	w       io.Writer
	label   string
	tty     bool
	quiet   bool
	mu      sync.Mutex
	started bool
	start   time.Time
}

// NewProgress returns the progress line of an operation described by label
// ("Creating batch endpoint heart").
func NewProgress(f *cmdutil.Factory, label string) *Progress {
	return &Progress{w: f.IOStreams.ErrOut, label: label, tty: f.IOStreams.IsStderrTTY(), quiet: f.Globals.OnlyShowErrors}
}

// Wait returns the wait options of the operation (awaited unless noWait)
// with this line as their progress.
func (p *Progress) Wait(noWait bool) azml.WaitOptions {
	return azml.WaitOptions{NoWait: noWait, Progress: p.tick}
}

func (p *Progress) tick(elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	if !p.started {
		p.started, p.start = true, time.Now()
		if !p.tty {
			fmt.Fprintf(p.w, "%s ...\n", p.label)
			return
		}
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%s ... %s", p.label, seconds(elapsed))
	}
}

// Done ends the line: with the time taken after success, or just ends a
// terminal line after a failure (the error is printed by the caller).
func (p *Progress) Done(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet || !p.started {
		return
	}
	switch {
	case ok && p.tty:
		fmt.Fprintf(p.w, "\r%s ... done (%s)\n", p.label, seconds(time.Since(p.start)))
	case ok:
		fmt.Fprintf(p.w, "%s: done (%s)\n", p.label, seconds(time.Since(p.start)))
	case p.tty:
		fmt.Fprintln(p.w)
	}
	p.started = false
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
}

// ConfirmDelete asks before deleting what ("batch endpoint heart"), as az
// prompts: --yes skips the question; without a terminal to ask on (scripts,
// CI) ml refuses rather than guess.
func ConfirmDelete(f *cmdutil.Factory, yes bool, what string) error {
	if yes {
		return nil
	}
	if !f.IOStreams.IsStdinTTY() {
		return clierr.Usagef("deleting %s needs confirmation: pass --yes/-y (ml does not prompt when stdin is not a terminal)", what)
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "Are you sure you want to delete %s? (y/n): ", what)
	answer, err := bufio.NewReader(f.IOStreams.In).ReadString('\n')
	if err != nil && answer == "" {
		return clierr.Usagef("no answer; nothing deleted (pass --yes/-y to skip the question)")
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	// az raises "Operation cancelled." here (exit 1).
	return fmt.Errorf("operation cancelled; %s was not deleted", what)
}

// AssetClient is the workspace client and its asset registrar with the
// command's upload options: what every command that uploads local paths
// and registers assets starts with.
func AssetClient(f *cmdutil.Factory) (*azml.Client, *azml.Assets, error) {
	c, err := f.Client()
	if err != nil {
		return nil, nil, err
	}
	uploads, err := uploadOptions(f)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Assets(uploads), nil
}

// uploadOptions are the upload settings of an asset command: the
// ML_UPLOAD_* tuning, the hash cache (unless --no-cache or
// ML_UPLOAD_NO_CACHE) and a progress report per upload on stderr.
func uploadOptions(f *cmdutil.Factory) (azml.UploadOptions, error) {
	transfer, err := upload.OptionsFromEnv()
	if err != nil {
		return azml.UploadOptions{}, clierr.Usagef("%v", err)
	}
	return azml.UploadOptions{
		Transfer: transfer,
		Plan:     PlanOptions(f, transfer),
		Report: func(what string, plan *upload.Plan) azml.UploadReporter {
			return uploadui.New(f.IOStreams.ErrOut, f.IOStreams.IsStderrTTY(), f.Globals.OnlyShowErrors, what, plan)
		},
	}, nil
}

// PlanOptions are how an uploading command plans local paths: transfer's
// layout and the hash cache unless --no-cache or ML_UPLOAD_NO_CACHE says
// otherwise. A cache that cannot be opened is a warning, not an error.
func PlanOptions(f *cmdutil.Factory, transfer upload.Options) upload.PlanOptions {
	noCache := f.Globals != nil && f.Globals.NoCache
	o, err := upload.DefaultPlanOptions(transfer.Layout, noCache, f.Getenv)
	if err != nil {
		f.Warn("%v", err)
	}
	return o
}

// Notes prints the decoder's remarks (keys accepted but not sent) as
// warnings.
func Notes(f *cmdutil.Factory, notes []string) {
	for _, n := range notes {
		f.Warn("%s", n)
	}
}

// LocalNotices tells, once each, what a deployment names that the local
// workspace records without using: the compute cluster (jobs run on this
// machine) and the environment's Docker image (the scoring script runs
// with the local Python). Neither is an error, so Azure files deploy
// unchanged. Deployments read back for an update (no file) were reported
// when they were created.
func LocalNotices(f *cmdutil.Factory, c *azml.Client, d *spec.Deployment) {
	if !c.T.Local || d.File == "" {
		return
	}
	if d.Compute != "" {
		f.Warn("%s: compute %s is recorded but not used: the local workspace runs batch jobs on this machine", d.ComputeAt, spec.ComputeName(d.Compute))
	}
	if c := d.PipelineSettings["default_compute"]; c != "" {
		f.Warn("%s: settings.default_compute %s is recorded but not used: the local workspace runs pipeline steps on this machine", d.File, spec.ComputeName(c))
	}
	if e := d.Environment; e != nil && e.Inline != nil && e.Inline.Image != "" {
		f.Warn("%s: environment image %s is recorded but not pulled: the local workspace runs the scoring script with the local Python", e.Inline.ImageAt, e.Inline.Image)
	}
}
