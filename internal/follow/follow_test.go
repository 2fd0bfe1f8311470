package follow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// azureRunHistory plays the Azure side of following a pipeline job: ARM's
// workspace (its discoveryUrl), discovery, run history details (Running
// for the first poll, then Completed) and the job's logs/azureml/executionlogs.txt, which grows
// between polls with a line per step as Azure writes it.
type azureRunHistory struct {
	srv     *httptest.Server
	details int
}

const executionLog = "[2026-12-03 16:00:01Z] Submitting 1 runs, first five are: 3d6f0a1c:pj_prep\n" +
	"[2026-12-03 16:01:10Z] Completing processing run id pj_prep.\n" +
	"[2026-12-03 16:01:11Z] Submitting 1 runs, first five are: 5b2e9c7d:pj_score\n" +
	"[2026-12-03 16:02:00Z] Completing processing run id pj_score.\n" +
	"[2026-12-03 16:02:01Z] Finishing experiment: no runs left and nothing to schedule.\n"

func (a *azureRunHistory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/workspaces/ws"):
		fmt.Fprintf(w, `{"name":"ws","properties":{"discoveryUrl":%q}}`, a.srv.URL+"/discovery")
	case r.URL.Path == "/discovery":
		fmt.Fprintf(w, `{"api":%q}`, a.srv.URL)
	case strings.HasSuffix(r.URL.Path, "/runs/pj/details"):
		a.details++
		// run() reads the details once before polling starts.
		status := "Running"
		if a.details > 2 {
			status = "Completed"
		}
		fmt.Fprintf(w, `{"runId":"pj","status":%q,"logFiles":{"logs/azureml/executionlogs.txt":%q}}`, status, a.srv.URL+"/logs/executionlogs.txt")
	case r.URL.Path == "/logs/executionlogs.txt":
		content := executionLog
		if a.details <= 2 {
			content = executionLog[:strings.Index(executionLog, "[2026-12-03 16:01:11Z]")] // the first step so far
		}
		http.ServeContent(w, r, "executionlogs.txt", time.Time{}, strings.NewReader(content))
	default:
		http.NotFound(w, r)
	}
}

// toAzure sends ARM requests (management.azure.com) to the fake and
// loopback ones as they are; nothing else leaves the test.
type toAzure struct {
	fake *url.URL
	rt   http.RoundTripper // trusts the fake's TLS certificate
}

func (t toAzure) Do(req *http.Request) (*http.Response, error) {
	switch {
	case req.URL.Host == "management.azure.com":
		out := req.Clone(req.Context())
		out.URL.Host, out.Host = t.fake.Host, ""
		return t.rt.RoundTrip(out)
	case strings.HasPrefix(req.URL.Host, "127.0.0.1:"):
		return t.rt.RoundTrip(req)
	}
	return nil, fmt.Errorf("test transport: unexpected host %s", req.URL.Host)
}

// TestStreamOfAnAzurePipelineJob: on Azure (no events route), job stream
// polls run history and prints the pipeline's execution log as it grows,
// each step's line once and in order, then the final status.
func TestStreamOfAnAzurePipelineJob(t *testing.T) {
	fake := &azureRunHistory{}
	// TLS: azcore sends a bearer token only over https.
	fake.srv = httptest.NewTLSServer(fake)
	defer fake.srv.Close()
	u, _ := url.Parse(fake.srv.URL)
	cl, err := azml.LookupCloud("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := azml.NewClient(&azml.Target{Cloud: cl, Credential: azml.StaticToken("t"), Subscription: "s", ResourceGroup: "rg", Workspace: "ws", Transport: toAzure{fake: u, rt: fake.srv.Client().Transport}}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	res, err := Job(context.Background(), c, "pj", Options{Mode: Stream, Text: &text, PollInterval: time.Millisecond})
	if err != nil || res.Status != "Completed" {
		t.Fatalf("Job = %+v, %v\n%s", res, err, text.String())
	}
	out := text.String()
	last := -1
	for _, line := range strings.Split(strings.TrimSpace(executionLog), "\n") {
		i := strings.Index(out, line)
		if i < 0 || strings.Count(out, line) != 1 || i < last {
			t.Errorf("the stream does not show %q once and in order:\n%s", line, out)
		}
		last = i
	}
	for _, want := range []string{"RunId: pj", "Status: Running", "Status: Completed", "Execution Summary"} {
		if !strings.Contains(out, want) {
			t.Errorf("the stream lacks %q:\n%s", want, out)
		}
	}
}
