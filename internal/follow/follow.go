// Package follow follows a batch job to its end: status changes,
// mini-batch progress and log lines, as text (--stream), as one JSON
// object per event (--output jsonl), or silently (--wait). It maps the
// end state to ml's exit codes: Failed and Canceled are errors of their own
// kind, and so is giving up after --timeout.
package follow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/ghactions"
)

// Mode says how events are shown.
type Mode int

const (
	// Wait shows nothing until the end.
	Wait Mode = iota
	// Stream prints events as text on Text.
	Stream
	// JSONL prints one JSON object per event on Out.
	JSONL
)

// Options tune Job.
type Options struct {
	Mode Mode
	// Timeout gives up waiting after this long (the job goes on); 0 waits
	// as long as the job runs.
	Timeout time.Duration
	// PollInterval is how often run details are polled where the workspace
	// has no events route (Azure). Zero means 5s.
	PollInterval time.Duration
	// EventWait is how long one events request may be held. Zero means 20s.
	EventWait time.Duration
	// Out gets the JSONL events; Text gets the Stream text (stdout for
	// `ml job stream`, as az prints it there).
	Out, Text io.Writer
	// Actions, when set (GitHub Actions), gets a job summary and
	// annotations at the end.
	Actions *ghactions.Workflow
	// Endpoint and Deployment name the job's endpoint and deployment in
	// that summary when the caller knows them (invoke); otherwise they are
	// read from the job.
	Endpoint, Deployment string
}

// Result is the end of a followed job.
type Result struct {
	Job       string            `json:"name"`
	Status    string            `json:"status"`
	Progress  *azml.RunProgress `json:"progress,omitempty"`
	UserError string            `json:"userError,omitempty"`
}

// PartialWarning says, for a job that Completed although some of its
// mini-batches failed (error_threshold allowed it), how many and where
// their errors are; "" otherwise. The exit code stays 0, as az's: a script
// that must not accept a partial result checks progress in the output.
func (r *Result) PartialWarning() string {
	if r.Status != "Completed" || r.Progress == nil || r.Progress.MiniBatchesFailed == 0 {
		return ""
	}
	return fmt.Sprintf("job %s Completed, but %d of %d mini-batches failed (error_threshold allowed it); their errors are in the job's logs/user/error.txt and logs/user/error/ (ml job download -n %s --all)",
		r.Job, r.Progress.MiniBatchesFailed, r.Progress.MiniBatchesTotal, r.Job)
}

// userErrorLog is where the batch runtime writes the first user error, as
// Azure ML does.
const userErrorLog = "logs/user/error.txt"

// Job follows job until it reaches a terminal status. It returns the
// result and, for Failed/Canceled/timeout, an error of the matching
// clierr kind (the result is returned too).
func Job(ctx context.Context, c *azml.Client, job string, o Options) (*Result, error) {
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.EventWait <= 0 {
		o.EventWait = 20 * time.Second
	}
	parent := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	p := &printer{o: o, job: job}
	p.start()
	res, err := run(ctx, c, job, p, o)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && o.Timeout > 0 {
			msg := fmt.Sprintf("job %s is still %s after --timeout %s; it goes on running (follow it with `ml job stream -n %s`)", job, res.Status, o.Timeout, job)
			report(parent, c, res, o, msg)
			return res, &clierr.Error{Kind: clierr.KindWaitTimeout, Err: errors.New(msg)}
		}
		return res, err
	}
	p.summary(res)
	if w := res.PartialWarning(); w != "" && o.Mode == Wait && o.Text != nil {
		fmt.Fprintf(o.Text, "WARNING: %s\n", w)
	}
	report(parent, c, res, o, "")
	switch res.Status {
	case "Failed":
		msg := fmt.Sprintf("job %s Failed", job)
		if res.UserError != "" {
			msg += ": " + res.UserError
		}
		return res, &clierr.Error{Kind: clierr.KindJobFailed, Err: errors.New(msg)}
	case "Canceled":
		return res, &clierr.Error{Kind: clierr.KindJobCanceled, Err: fmt.Errorf("job %s was Canceled", job)}
	}
	return res, nil
}

func run(ctx context.Context, c *azml.Client, job string, p *printer, o Options) (*Result, error) {
	res := &Result{Job: job}
	d, err := c.RunDetails(ctx, job)
	if err != nil {
		return res, err
	}
	res.Status = d.Status
	if d.EventsURL != "" {
		err = followEvents(ctx, c, d.EventsURL, res, p, o)
	} else {
		err = pollDetails(ctx, c, job, res, p, o)
	}
	if err != nil {
		return res, err
	}
	if res.Status == "Failed" {
		res.UserError = firstUserError(ctx, c, job)
	}
	return res, nil
}

// followEvents long-polls the workspace's events route until the job is
// terminal and every event and log line has been read.
func followEvents(ctx context.Context, c *azml.Client, eventsURL string, res *Result, p *printer, o Options) error {
	cursor := ""
	for {
		page, err := c.Events(ctx, eventsURL, cursor, o.EventWait)
		if err != nil {
			return err
		}
		for _, e := range page.Events {
			p.event(e, res)
		}
		cursor = page.Cursor
		if page.Status != "" {
			res.Status = page.Status
		}
		if page.Terminal && !page.More {
			return nil
		}
	}
}

// pollDetails polls run details and tails the user log files, for
// workspaces without an events route.
func pollDetails(ctx context.Context, c *azml.Client, job string, res *Result, p *printer, o Options) error {
	offsets := map[string]int64{}
	last := ""
	for {
		d, err := c.RunDetails(ctx, job)
		if err != nil {
			return err
		}
		if d.Status != last {
			last = d.Status
			p.event(azml.RunEvent{Type: "status", Status: d.Status, Time: time.Now().UTC()}, res)
		}
		if d.Progress != nil {
			p.event(azml.RunEvent{Type: "progress", Progress: d.Progress, Time: time.Now().UTC()}, res)
		}
		if o.Mode != Wait {
			tailLogs(ctx, c, d.LogFiles, offsets, p, res)
		}
		if azml.TerminalStatuses[d.Status] {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.PollInterval):
		}
	}
}

// Reads of logs are bounded: a poll takes at most maxLogChunk of each log
// (a log written faster than that catches up over polls), and the first
// user error at most maxUserError.
const (
	maxLogChunk  = 4 << 20
	maxUserError = 64 << 10
)

// tailLogs prints new lines of the user and driver logs.
func tailLogs(ctx context.Context, c *azml.Client, files map[string]string, offsets map[string]int64, p *printer, res *Result) {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.Contains(name, "user/") || strings.Contains(name, "std_log") || strings.HasSuffix(name, "executionlogs.txt") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := c.ReadLog(ctx, files[name], offsets[name], maxLogChunk)
		if err != nil || len(data) == 0 {
			continue
		}
		// Only whole lines; the rest comes next time. A line longer than
		// a whole chunk is printed in chunk-sized pieces, or it would
		// never get through.
		text, n := string(data), len(data)
		if end := strings.LastIndexByte(text, '\n'); end >= 0 {
			text, n = text[:end], end+1
		} else if len(data) < maxLogChunk {
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			p.event(azml.RunEvent{Type: "log", File: name, Line: line, Time: time.Now().UTC()}, res)
		}
		offsets[name] += int64(n)
	}
}

// firstUserError reads logs/user/error.txt (the first error the scoring
// script raised), else the run's error message.
func firstUserError(ctx context.Context, c *azml.Client, job string) string {
	d, err := c.RunDetails(ctx, job)
	if err != nil {
		return ""
	}
	if u, ok := d.LogFiles[userErrorLog]; ok {
		if data, err := c.ReadLog(ctx, u, 0, maxUserError); err == nil && len(strings.TrimSpace(string(data))) > 0 {
			return strings.TrimSpace(string(data))
		}
	}
	return d.ErrorMessage()
}

// printer renders events for the chosen mode.
type printer struct {
	o            Options
	job          string
	lastProgress string
}

func (p *printer) start() {
	if p.o.Mode == Stream {
		fmt.Fprintf(p.o.Text, "RunId: %s\n", p.job)
	}
}

func (p *printer) event(e azml.RunEvent, res *Result) {
	switch e.Type {
	case "status":
		if e.Status != "" {
			res.Status = e.Status
		}
	case "progress":
		if e.Progress != nil {
			res.Progress = e.Progress
		}
	}
	switch p.o.Mode {
	case JSONL:
		b, _ := json.Marshal(e)
		fmt.Fprintf(p.o.Out, "%s\n", b)
	case Stream:
		switch e.Type {
		case "status":
			line := "Status: " + e.Status
			if e.Message != "" {
				line += " (" + e.Message + ")"
			}
			fmt.Fprintln(p.o.Text, line)
		case "progress":
			if e.Progress == nil {
				return
			}
			text := fmt.Sprintf("Progress: %d/%d mini-batches done (%d succeeded, %d failed)",
				e.Progress.MiniBatchesSucceeded+e.Progress.MiniBatchesFailed, e.Progress.MiniBatchesTotal,
				e.Progress.MiniBatchesSucceeded, e.Progress.MiniBatchesFailed)
			if text != p.lastProgress {
				p.lastProgress = text
				fmt.Fprintln(p.o.Text, text)
			}
		case "log":
			fmt.Fprintf(p.o.Text, "[%s] %s\n", e.File, e.Line)
		}
	}
}

func (p *printer) summary(res *Result) {
	switch p.o.Mode {
	case JSONL:
		b, _ := json.Marshal(struct {
			Type string `json:"type"`
			*Result
		}{"summary", res})
		fmt.Fprintf(p.o.Out, "%s\n", b)
	case Stream:
		fmt.Fprintf(p.o.Text, "\nExecution Summary\n=================\nRunId: %s\nStatus: %s\n", res.Job, res.Status)
		if res.Progress != nil {
			fmt.Fprintf(p.o.Text, "Mini-batches: %d total, %d succeeded, %d failed\n", res.Progress.MiniBatchesTotal, res.Progress.MiniBatchesSucceeded, res.Progress.MiniBatchesFailed)
		}
		if w := res.PartialWarning(); w != "" {
			fmt.Fprintf(p.o.Text, "WARNING: %s\n", w)
		}
		if res.UserError != "" {
			fmt.Fprintf(p.o.Text, "First user error (logs/user/error.txt):\n%s\n", res.UserError)
		}
	}
}
