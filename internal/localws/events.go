package localws

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// The events route lets a client follow a job with one request at a time:
//
//	GET .../runs/{runId}/events?cursor=<cursor>&wait=<seconds>
//
// returns the status and progress events stored since the cursor, plus the
// log lines appended to the job's log files since the cursor, each with its
// file and byte offset. The answer carries the next cursor; an empty cursor
// starts from the beginning. With wait > 0 (at most maxEventWait) the
// request is held until something happens or the time is up, so following
// a job costs one request per change, not one per poll interval.

const (
	maxEventWait      = 60 * time.Second
	maxEventsPerReply = 500
	// maxLogBytesPerReply bounds the log text in one answer; the cursor
	// makes the rest come in the next one.
	maxLogBytesPerReply = 256 << 10
	// logPollInterval is how often a held request looks for new log lines:
	// the runtime writes log files directly, without telling the server.
	logPollInterval = 250 * time.Millisecond
)

// rewrittenLogs are log files the runtime rewrites in place rather than
// appends to; tailing them by offset would emit torn lines, and progress
// events already carry what they say.
var rewrittenLogs = map[string]bool{"logs/job_progress_overview.txt": true}

// eventCursor is what the opaque cursor encodes: the last event seen and
// how far each log file has been read.
type eventCursor struct {
	Seq     int64            `json:"s"`
	Offsets map[string]int64 `json:"o,omitempty"`
}

func decodeCursor(s string) (eventCursor, *apiError) {
	c := eventCursor{Offsets: map[string]int64{}}
	if s == "" {
		return c, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		return c, errBadRequest("cursor " + s + " is not one this server issued: start again without it")
	}
	if c.Offsets == nil {
		c.Offsets = map[string]int64{}
	}
	return c, nil
}

func (c eventCursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// eventsReply is the answer of the events route.
type eventsReply struct {
	Events []jobEvent `json:"events"`
	// Cursor is what to send next.
	Cursor string `json:"cursor"`
	// Status is the job's status at the time of the answer; Terminal says
	// whether it is final (no more events after the ones returned, once the
	// logs are drained: More is false).
	Status   string `json:"status"`
	Terminal bool   `json:"terminal"`
	// More is true when events or log lines were left for the next call.
	More bool `json:"more"`
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	q := r.URL.Query()
	cur, aerr := decodeCursor(q.Get("cursor"))
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			writeError(w, errBadRequest("wait="+v+" must be a number of seconds (0 to 60)"))
			return
		}
		wait = min(time.Duration(secs*float64(time.Second)), maxEventWait)
	}
	deadline := time.Now().Add(wait)
	for {
		changed := s.events.wait(j.storedName())
		reply, err := s.collectEvents(r, j.storedName(), cur)
		if err != nil {
			writeError(w, err)
			return
		}
		if len(reply.Events) > 0 || reply.Terminal || !time.Now().Before(deadline) {
			writeJSON(w, http.StatusOK, reply)
			return
		}
		timer := time.NewTimer(min(logPollInterval, time.Until(deadline)))
		s.longPolls.Add(1)
		select {
		case <-changed:
		case <-timer.C:
		case <-r.Context().Done():
			s.longPolls.Add(-1)
			timer.Stop()
			return
		case <-s.closing:
			// Answer now so Shutdown need not wait out the long poll.
			deadline = time.Now()
		}
		s.longPolls.Add(-1)
		timer.Stop()
	}
}

// collectEvents gathers what happened after cur.
func (s *Server) collectEvents(r *http.Request, job string, cur eventCursor) (eventsReply, error) {
	// Read the status before the events, so a terminal status implies every
	// event up to it is in the list.
	j, err := s.store.GetJob(r.Context(), job)
	if err != nil {
		return eventsReply{}, err
	}
	stored, err := s.store.Events(r.Context(), job, cur.Seq, maxEventsPerReply+1)
	if err != nil {
		return eventsReply{}, err
	}
	reply := eventsReply{Events: []jobEvent{}, Status: j.Status}
	if len(stored) > maxEventsPerReply {
		stored, reply.More = stored[:maxEventsPerReply], true
	}
	next := eventCursor{Seq: cur.Seq, Offsets: map[string]int64{}}
	for k, v := range cur.Offsets {
		next.Offsets[k] = v
	}
	for _, e := range stored {
		reply.Events = append(reply.Events, e)
		next.Seq = e.Seq
	}
	terminal := isTerminal(j.Status)
	logs, err := s.followedLogs(r.Context(), j)
	if err != nil {
		return eventsReply{}, err
	}
	budget := maxLogBytesPerReply
	for _, log := range logs {
		name := log.name
		if rewrittenLogs[name] {
			continue
		}
		if budget <= 0 {
			reply.More = true
			break
		}
		lines, off, more, err := readLogLines(log.path, next.Offsets[name], budget, terminal)
		if err != nil {
			continue // a log being rotated or removed is not an error
		}
		for _, l := range lines {
			reply.Events = append(reply.Events, jobEvent{Type: "log", Time: l.time, File: name, Offset: &l.offset, Line: l.text})
			budget -= len(l.text) + 1
		}
		next.Offsets[name] = off
		reply.More = reply.More || more
	}
	reply.Terminal = terminal && !reply.More
	reply.Cursor = next.encode()
	return reply, nil
}

type logLine struct {
	offset int64
	text   string
	time   time.Time
}

// readLogLines reads whole lines of file from offset, up to budget bytes.
// A trailing line without a newline is held back until the job has ended
// (flush true), since the writer may still be writing it.
func readLogLines(file string, offset int64, budget int, flush bool) ([]logLine, int64, bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, offset, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, offset, false, err
	}
	if fi.Size() < offset {
		offset = 0 // truncated and rewritten: start over
	}
	if fi.Size() == offset {
		return nil, offset, false, nil
	}
	n := min(fi.Size()-offset, int64(budget))
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, offset); err != nil && err != io.EOF {
		return nil, offset, false, err
	}
	more := offset+n < fi.Size()
	var lines []logLine
	pos := 0
	for pos < len(buf) {
		nl := bytes.IndexByte(buf[pos:], '\n')
		if nl < 0 {
			if flush && !more {
				lines = append(lines, logLine{offset: offset + int64(pos), text: string(buf[pos:]), time: fi.ModTime().UTC()})
				pos = len(buf)
			}
			break
		}
		text := bytes.TrimSuffix(buf[pos:pos+nl], []byte("\r"))
		lines = append(lines, logLine{offset: offset + int64(pos), text: string(text), time: fi.ModTime().UTC()})
		pos += nl + 1
	}
	if len(lines) == 0 && more && pos == 0 {
		// One line longer than the budget: hand it over in pieces.
		lines = append(lines, logLine{offset: offset, text: string(buf), time: fi.ModTime().UTC()})
		pos = len(buf)
	}
	return lines, offset + int64(pos), more, nil
}
