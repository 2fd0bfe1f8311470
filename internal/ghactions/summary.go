package ghactions

import (
	"fmt"
	"strings"
	"time"
)

// Summary renders j as the Markdown GitHub shows on the run's summary
// page: a heading with the outcome, a table of the job's facts, and the
// first user error in a collapsed code block. It ends with a blank line so
// that summaries of several jobs in one step stay apart.
func Summary(j Job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s Batch job %s: %s\n\n", statusIcon(j.Status), code(j.Name), cell(j.Status))
	b.WriteString("| | |\n|---|---|\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, v)
		}
	}
	row("Job", code(j.Name))
	row("Endpoint", code(j.Endpoint))
	row("Deployment", code(j.Deployment))
	row("Status", cell(j.Status))
	if j.Duration > 0 {
		row("Duration", j.Duration.Round(time.Second).String())
	}
	if m := j.MiniBatches; m != nil {
		row("Mini-batches", fmt.Sprintf("%d total, %d succeeded, %d failed", m.Total, m.Succeeded, m.Failed))
	}
	var outs []string
	for _, o := range j.Outputs {
		outs = append(outs, code(o.Name)+": "+code(o.Path))
	}
	row("Outputs", strings.Join(outs, "<br>"))
	if j.Link != "" {
		row("Link", "[job page](<"+strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C").Replace(j.Link)+">)")
	}
	b.WriteString("\n")
	if j.Note != "" {
		b.WriteString(cell(j.Note) + "\n\n")
	}
	if j.UserError != "" {
		fence := strings.Repeat("`", max(3, longestRun(j.UserError, '`')+1))
		fmt.Fprintf(&b, "<details><summary>First user error (logs/user/error.txt)</summary>\n\n%stext\n%s\n%s\n\n</details>\n\n", fence, strings.TrimRight(j.UserError, "\n"), fence)
	}
	return b.String()
}

func statusIcon(status string) string {
	switch status {
	case "Completed":
		return "✅"
	case "Failed":
		return "❌"
	case "Canceled":
		return "⚠️"
	}
	return "⏳"
}

// cell makes s safe inside one table cell: no line breaks, no column
// separators.
func cell(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	return strings.TrimSpace(s)
}

// code is s as a code span in a table cell, "" for "".
func code(s string) string {
	if s == "" {
		return ""
	}
	s = cell(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if fence != "`" {
		return fence + " " + s + " " + fence
	}
	return "`" + s + "`"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
