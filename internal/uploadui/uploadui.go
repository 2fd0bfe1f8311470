// Package uploadui shows upload progress on stderr: a progress bar on a
// terminal, plain periodic lines otherwise (CI logs), and always a summary
// line with files, bytes and MiB/s.
package uploadui

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/mlbatch/ml/internal/output"
	"github.com/mlbatch/ml/internal/upload"
)

// PlainInterval is how often a non-terminal reporter prints a line.
const PlainInterval = 5 * time.Second

// Reporter renders one upload's events.
type Reporter struct {
	w     io.Writer
	label string
	quiet bool
	now   func() time.Time

	mu        sync.Mutex
	progress  *mpb.Progress
	bar       *mpb.Bar
	lastPrint time.Time
}

// New returns a reporter for an upload labelled label (e.g. the input
// name). tty selects the progress bar; quiet (--only-show-errors) prints
// nothing at all.
func New(w io.Writer, tty, quiet bool, label string, plan *upload.Plan) *Reporter {
	r := &Reporter{w: w, label: label, quiet: quiet, now: time.Now}
	if quiet {
		return r
	}
	if tty {
		// Auto refresh is forced: the bar is only built for a terminal, and a
		// writer wrapping one (or a test buffer) would otherwise stay blank.
		r.progress = mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(150*time.Millisecond), mpb.WithAutoRefresh())
		r.bar = r.progress.AddBar(plan.Bytes,
			mpb.PrependDecorators(decor.Name("Uploading "+label+" "), decor.CountersKibiByte("% .1f / % .1f")),
			mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f"), decor.Name(" "), decor.Percentage()),
		)
	} else {
		fmt.Fprintf(w, "Uploading %s: %d files, %s\n", label, len(plan.Files), output.Bytes(plan.Bytes))
	}
	r.lastPrint = r.now()
	return r
}

// Event takes one upload.Event (pass it as upload.Options.Progress).
func (r *Reporter) Event(e upload.Event) {
	if r.quiet {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		if e.Kind == upload.EventBytes {
			r.bar.EwmaIncrInt64(e.Bytes, 0)
		}
		return
	}
	if e.Kind == upload.EventBytes && r.now().Sub(r.lastPrint) >= PlainInterval {
		r.lastPrint = r.now()
		fmt.Fprintf(r.w, "Uploading %s: %d/%d files, %s/%s\n", r.label, e.FilesDone, e.FilesTotal, output.Bytes(e.BytesDone), output.Bytes(e.BytesTotal))
	}
}

// Done ends the bar and prints the summary.
func (r *Reporter) Done(res *upload.Result, destination string) {
	r.finish(true)
	if r.quiet {
		return
	}
	if res.Skipped {
		fmt.Fprintf(r.w, "Upload of %s skipped: the same content is already at %s\n", r.label, destination)
		return
	}
	fmt.Fprintf(r.w, "Uploaded %s: %d files, %s in %s (%.1f MiB/s) to %s\n",
		r.label, res.Files, output.Bytes(res.Bytes), res.Duration.Round(time.Millisecond), res.MiBPerSecond(), destination)
}

// Abort ends the bar after a failed upload; the caller prints the error.
func (r *Reporter) Abort() { r.finish(false) }

func (r *Reporter) finish(ok bool) {
	r.mu.Lock()
	bar, p := r.bar, r.progress
	r.bar, r.progress = nil, nil
	r.mu.Unlock()
	if bar == nil {
		return
	}
	if ok {
		bar.SetTotal(-1, true)
	} else {
		bar.Abort(false)
	}
	p.Wait()
}
