package follow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/azml"
)

// logServer serves one log file with Range support, as Azure's SAS log
// URLs do, and records the Range headers it got.
type logServer struct {
	content []byte
	ranges  []string
}

func (l *logServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.ranges = append(l.ranges, r.Header.Get("Range"))
	http.ServeContent(w, r, "std_log.txt", time.Time{}, bytes.NewReader(l.content))
}

// loopbackOnly sends requests for 127.0.0.1 and answers every other one
// (ARM's workspace lookup) 404 at once: no test traffic leaves the machine.
type loopbackOnly struct{}

func (loopbackOnly) Do(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Host, "127.0.0.1:") {
		return http.DefaultTransport.RoundTrip(req)
	}
	return &http.Response{StatusCode: http.StatusNotFound, Status: "404 Not Found", Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}

func newLogClient(t *testing.T) *azml.Client {
	t.Helper()
	cl, err := azml.LookupCloud("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := azml.NewClient(&azml.Target{Cloud: cl, Credential: azml.StaticToken("t"), Subscription: "s", ResourceGroup: "rg", Workspace: "ws", Transport: loopbackOnly{}}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTailLogsIsBounded: each poll reads at most maxLogChunk of a log (a
// Range request), prints whole lines and carries the rest over, and a line
// longer than a chunk still gets through, in pieces.
func TestTailLogsIsBounded(t *testing.T) {
	long := strings.Repeat("x", maxLogChunk+10)
	logs := &logServer{content: []byte("first\nsecond\n" + long + "\nlast\npartial")}
	srv := httptest.NewServer(logs)
	defer srv.Close()
	c := newLogClient(t)
	var jsonl bytes.Buffer
	p := &printer{o: Options{Mode: JSONL, Out: &jsonl}}
	files := map[string]string{"user_logs/std_log.txt": srv.URL + "/std_log.txt"}
	offsets := map[string]int64{}
	for range 5 {
		tailLogs(context.Background(), c, files, offsets, p, &Result{})
	}
	var lines []string
	for _, row := range strings.Split(strings.TrimSpace(jsonl.String()), "\n") {
		var e azml.RunEvent
		if err := json.Unmarshal([]byte(row), &e); err != nil {
			t.Fatalf("event %q: %v", row, err)
		}
		lines = append(lines, e.Line)
	}
	// Poll 1 ends inside the long line (whole lines only), poll 2 is all
	// of one chunk of it, poll 3 the rest of it and "last".
	want := []string{"first", "second", long[:maxLogChunk], long[maxLogChunk:], "last"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines printed, want %d: %.80q", len(lines), len(want), lines)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: %d bytes %.20q, want %d bytes %.20q", i, len(lines[i]), lines[i], len(want[i]), want[i])
		}
	}
	if got, want := offsets["user_logs/std_log.txt"], int64(len(logs.content)-len("partial")); got != want {
		t.Errorf("offset %d, want %d (the partial last line waits)", got, want)
	}
	if first := fmt.Sprintf("bytes=0-%d", maxLogChunk-1); len(logs.ranges) == 0 || logs.ranges[0] != first {
		t.Errorf("ranges %q, want the first %q", logs.ranges, first)
	}
}
