// Package ghactions is what an ml step shows in a GitHub Actions run: a
// Markdown job summary appended to $GITHUB_STEP_SUMMARY, and ::error:: /
// ::warning:: workflow commands, which GitHub turns into annotations. It
// knows nothing of Azure: callers fill a Job.
package ghactions

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Workflow is the GitHub Actions step ml runs in.
type Workflow struct {
	// SummaryPath is the step summary file ($GITHUB_STEP_SUMMARY); ""
	// writes no summary.
	SummaryPath string
	// Commands receives workflow commands. The runner reads them on stdout
	// and stderr alike; ml writes them on stderr so that stdout captures
	// (`--query name -o tsv`) stay unchanged.
	Commands io.Writer
}

// FromEnv returns the workflow ml runs in, or nil outside GitHub Actions
// (GITHUB_ACTIONS is not "true").
func FromEnv(getenv func(string) string, commands io.Writer) *Workflow {
	if getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	return &Workflow{SummaryPath: getenv("GITHUB_STEP_SUMMARY"), Commands: commands}
}

// Job is what a summary says about one followed batch job. Empty fields
// are left out.
type Job struct {
	Name       string
	Endpoint   string
	Deployment string
	Status     string
	// Duration is from start to end (or to now for a job still running);
	// zero when run history has no start time.
	Duration time.Duration
	// MiniBatches is nil when the job reported no progress.
	MiniBatches *MiniBatches
	Outputs     []Output
	// Link is the job's page (the Studio link of the job).
	Link string
	// UserError is the first error the scoring script raised
	// (logs/user/error.txt).
	UserError string
	// Note is a sentence shown under the table, e.g. that waiting gave up.
	Note string
}

// MiniBatches counts a job's mini-batches.
type MiniBatches struct {
	Total, Succeeded, Failed int
}

// Output is one named output of a job and where it was written.
type Output struct {
	Name, Path string
}

// Report appends j's summary to the step summary and emits the
// annotations a job in j's state deserves: an error for a Failed job (with
// its first user error), a warning for a Canceled one, one that was
// still running when waiting gave up, or one that Completed with failed
// mini-batches. Reporting never changes the
// outcome: a summary that cannot be written becomes a warning.
func (w *Workflow) Report(j Job) {
	if w == nil {
		return
	}
	if w.SummaryPath != "" {
		if err := appendFile(w.SummaryPath, Summary(j)); err != nil {
			w.command("warning", "ml: no job summary", fmt.Sprintf("cannot append the job summary to $GITHUB_STEP_SUMMARY: %v", err))
		}
	}
	switch {
	case j.Status == "Failed":
		msg := fmt.Sprintf("batch job %s%s Failed", j.Name, j.where())
		if j.UserError != "" {
			msg += "; first user error (logs/user/error.txt):\n" + j.UserError
		}
		w.command("error", "Batch job "+j.Name+" Failed", msg)
	case j.Status == "Canceled":
		w.command("warning", "Batch job "+j.Name+" Canceled", fmt.Sprintf("batch job %s%s was Canceled", j.Name, j.where()))
	case j.Note != "":
		w.command("warning", "Batch job "+j.Name+" "+j.Status, j.Note)
	case j.Status == "Completed" && j.MiniBatches != nil && j.MiniBatches.Failed > 0:
		w.command("warning", "Batch job "+j.Name+" Completed with failed mini-batches",
			fmt.Sprintf("batch job %s%s Completed, but %d of %d mini-batches failed (error_threshold allowed it)", j.Name, j.where(), j.MiniBatches.Failed, j.MiniBatches.Total))
	}
}

func (j Job) where() string {
	switch {
	case j.Endpoint != "" && j.Deployment != "":
		return fmt.Sprintf(" (endpoint %s, deployment %s)", j.Endpoint, j.Deployment)
	case j.Endpoint != "":
		return fmt.Sprintf(" (endpoint %s)", j.Endpoint)
	}
	return ""
}

func (w *Workflow) command(name, title, msg string) {
	fmt.Fprintln(w.Commands, Command(name, map[string]string{"title": title}, msg))
}

// Command formats a workflow command, `::name k=v,...::message`, escaping
// the message and the property values as the runner unescapes them, so
// that a newline or a "::" in a user error cannot end the command early or
// start another one.
func Command(name string, props map[string]string, msg string) string {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(name)
	sep := " "
	// Fixed order, so output is deterministic: the properties GitHub knows.
	for _, k := range []string{"title", "file", "line", "endLine", "col", "endColumn"} {
		if v, ok := props[k]; ok && v != "" {
			b.WriteString(sep + k + "=" + EscapeProperty(v))
			sep = ","
		}
	}
	b.WriteString("::")
	b.WriteString(EscapeData(msg))
	return b.String()
}

// EscapeData escapes a workflow command's message: %, CR and LF.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a workflow command's property value: as
// EscapeData, plus ":" and ",", which separate properties.
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// appendFile appends text to the step summary file. The runner creates the
// file; should it be missing it is created readable by its owner only.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
