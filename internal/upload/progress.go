package upload

import (
	"sync"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventSkipped: a completed upload of the same content already exists
	// (Event.RemotePath says where); nothing is sent.
	EventSkipped EventKind = iota + 1
	// EventFileStarted: File is being read and sent.
	EventFileStarted
	// EventBytes: the service accepted Event.Bytes more bytes of File (one
	// block, or the whole file when it fits in one request).
	EventBytes
	// EventFileDone: File is fully uploaded.
	EventFileDone
)

func (k EventKind) String() string {
	switch k {
	case EventSkipped:
		return "skipped"
	case EventFileStarted:
		return "file-started"
	case EventBytes:
		return "bytes"
	case EventFileDone:
		return "file-done"
	}
	return "unknown"
}

// Event is one progress report from Execute. Counters are totals at the
// time of the event, so a renderer can draw from any single event.
type Event struct {
	Kind EventKind
	// File is the file concerned; zero for EventSkipped.
	File File
	// Bytes is what this event adds (EventBytes only).
	Bytes int64
	// FileBytesDone is how much of File has been accepted so far.
	FileBytesDone int64
	// BytesDone and BytesTotal cover the whole plan.
	BytesDone, BytesTotal int64
	// FilesDone and FilesTotal count whole files.
	FilesDone, FilesTotal int
	// Elapsed is the time since Execute started.
	Elapsed time.Duration
	// RemotePath is the existing upload's path (EventSkipped only).
	RemotePath string
}

// progress serializes events and keeps the counters.
type progress struct {
	mu         sync.Mutex
	fn         func(Event)
	start      time.Time
	bytesDone  int64
	filesDone  int
	bytesTotal int64
	filesTotal int
	perFile    map[string]int64
}

func newProgress(fn func(Event), plan *Plan, start time.Time) *progress {
	return &progress{
		fn:         fn,
		start:      start,
		bytesTotal: plan.Bytes,
		filesTotal: len(plan.Files),
		perFile:    map[string]int64{},
	}
}

func (p *progress) emit(kind EventKind, f File, n int64, remotePath string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch kind {
	case EventBytes:
		p.bytesDone += n
		p.perFile[f.BlobName] += n
	case EventFileDone:
		p.filesDone++
	}
	if p.fn == nil {
		return
	}
	p.fn(Event{
		Kind:          kind,
		File:          f,
		Bytes:         n,
		FileBytesDone: p.perFile[f.BlobName],
		BytesDone:     p.bytesDone,
		BytesTotal:    p.bytesTotal,
		FilesDone:     p.filesDone,
		FilesTotal:    p.filesTotal,
		Elapsed:       time.Since(p.start),
		RemotePath:    remotePath,
	})
}

// totals returns files and bytes accepted so far.
func (p *progress) totals() (int, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.filesDone, p.bytesDone
}
