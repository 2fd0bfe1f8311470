package batchrun

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// logTime is the timestamp format of every log line the runtime writes.
const logTime = "2006-01-02 15:04:05.000"

// openAppend opens a log for appending. Logs and outputs are the user's
// alone (0600 in 0700 folders): they hold what scoring scripts print and
// write, and live in the local workspace's private state folder.
func openAppend(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}

// writeFileAtomic replaces path so readers never see a half-written file.
// The temporary file is hidden (a leading dot): log listings skip hidden
// files, so a reader never tails the half-written copy.
func writeFileAtomic(path, content string) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// FileTail returns the last n lines of a text file (at most its last
// 16 KiB), trimmed, or "". The pipeline engine quotes failed steps' logs
// with it.
func FileTail(path string, n int) string { return fileTail(path, n) }

// fileTail returns the last n non-empty lines of a text file, or "".
func fileTail(path string, n int) string {
	const maxRead = 16 << 10
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return ""
	}
	offset := max(0, info.Size()-maxRead)
	buf := make([]byte, info.Size()-offset)
	if _, err := f.ReadAt(buf, offset); err != nil {
		return ""
	}
	return lastLines(string(buf), n)
}

func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// lineLog appends timestamped lines to one log file. Safe for concurrent use.
type lineLog struct {
	mu sync.Mutex
	f  *os.File
}

func openLineLog(path string) *lineLog {
	f, err := openAppend(path)
	if err != nil {
		// Logs help but must never fail a job; a nil file drops lines.
		return &lineLog{}
	}
	return &lineLog{f: f}
}

func (l *lineLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	fmt.Fprintf(l.f, "%s %s\n", time.Now().Format(logTime), fmt.Sprintf(format, args...))
}

func (l *lineLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// errorLog records user errors (import, init() and run() failures) the way
// Azure does: every traceback in logs/user/error/<node>/process<NNN>.txt and
// the first error of the job in logs/user/error.txt.
type errorLog struct {
	l          layout
	mu         sync.Mutex
	firstDone  bool
	firstError string
}

func (e *errorLog) record(id workerID, context, message, traceback string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	entry := fmt.Sprintf("%s %s (worker %s)\n%s\n", time.Now().Format(logTime), context, id, message)
	if traceback != "" {
		entry += strings.TrimRight(traceback, "\n") + "\n"
	}
	if f, err := openAppend(e.l.errorFile(id)); err == nil {
		fmt.Fprintln(f, entry)
		f.Close()
	}
	if e.firstDone {
		return
	}
	e.firstDone = true
	e.firstError = message
	_ = writeFileAtomic(e.l.userErrorFile(), entry)
}

// first returns the first recorded error message, or "".
func (e *errorLog) first() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.firstError
}

// overviewText renders logs/job_progress_overview.txt: the job's status and
// mini-batch counts, and on failure where to look next.
func overviewText(jobName string, s settings, p Progress, outputFile string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Job: %s\n", jobName)
	fmt.Fprintf(&b, "Status: %s\n", p.Status)
	fmt.Fprintf(&b, "Updated: %s\n", now.Format(logTime))
	if p.Message != "" {
		fmt.Fprintf(&b, "Message: %s\n", firstLine(p.Message))
	}
	processed := p.MiniBatchesSucceeded + p.MiniBatchesFailed
	fmt.Fprintf(&b, "Total mini-batches: %d\n", p.MiniBatchesTotal)
	fmt.Fprintf(&b, "Processed mini-batches: %d (succeeded %d, failed %d)\n", processed, p.MiniBatchesSucceeded, p.MiniBatchesFailed)
	fmt.Fprintf(&b, "Pending mini-batches: %d\n", p.MiniBatchesTotal-processed)
	fmt.Fprintf(&b, "Total items: %d\n", p.ItemsTotal)
	fmt.Fprintf(&b, "Failed items: %d (error_threshold %d)\n", p.ItemsFailed, s.errorThreshold)
	fmt.Fprintf(&b, "Workers: %d (instance_count %d x max_concurrency_per_instance %d)\n", p.Workers, s.instanceCount, s.concurrency)
	if outputFile != "" {
		fmt.Fprintf(&b, "Output: %d rows appended to %s\n", p.RowsWritten, outputFile)
	}
	if p.Status == StatusFailed {
		b.WriteString("The job failed. Start with logs/user/error.txt, then logs/user/error/ and logs/user/stderr/ for full tracebacks.\n")
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
