package uploadui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/upload"
)

func plan() *upload.Plan {
	return &upload.Plan{Files: make([]upload.File, 3), Bytes: 3 << 20}
}

// TestPlainLines: off a terminal, a start line, a line per PlainInterval
// of progress (never one per event), and the summary.
func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, false, false, "UriFolder", plan())
	clock := time.Unix(0, 0)
	r.now = func() time.Time { return clock }
	r.lastPrint = clock
	for i := 1; i <= 3; i++ {
		clock = clock.Add(2 * time.Second) // 2s, 4s, 6s: one line, at 6s
		r.Event(upload.Event{Kind: upload.EventBytes, Bytes: 1 << 20, BytesDone: int64(i) << 20, BytesTotal: 3 << 20, FilesDone: i, FilesTotal: 3})
	}
	r.Done(&upload.Result{Files: 3, Bytes: 3 << 20, Duration: 3 * time.Second}, "azureml://datastores/workspaceblobstore/paths/LocalUpload/h/d/")
	want := "Uploading UriFolder: 3 files, 3.0 MiB\n" +
		"Uploading UriFolder: 3/3 files, 3.0 MiB/3.0 MiB\n" +
		"Uploaded UriFolder: 3 files, 3.0 MiB in 3s (1.0 MiB/s) to azureml://datastores/workspaceblobstore/paths/LocalUpload/h/d/\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestBarOnTerminal: on a terminal the bar is drawn and the summary follows.
func TestBarOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, true, false, "UriFolder", plan())
	r.Event(upload.Event{Kind: upload.EventBytes, Bytes: 3 << 20})
	r.Done(&upload.Result{Files: 3, Bytes: 3 << 20, Duration: time.Second}, "dest")
	out := buf.String()
	for _, want := range []string{"Uploading UriFolder", "100 %", "Uploaded UriFolder: 3 files, 3.0 MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
}

func TestSkippedAndQuiet(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, false, false, "in", plan()).Done(&upload.Result{Skipped: true}, "dest")
	if !strings.Contains(buf.String(), "Upload of in skipped: the same content is already at dest") {
		t.Errorf("skip summary missing: %q", buf.String())
	}
	buf.Reset()
	q := New(&buf, true, true, "in", plan())
	q.Event(upload.Event{Kind: upload.EventBytes, Bytes: 1})
	q.Done(&upload.Result{Files: 1}, "dest")
	if buf.Len() != 0 {
		t.Errorf("--only-show-errors printed %q", buf.String())
	}
}
