package localws

import (
	"context"
	"errors"
	"time"
)

// Errors a store returns; handlers map them to ARM errors.
var (
	errNoRecord       = errors.New("no such record")
	errJobNameTaken   = errors.New("job name taken")
	errRequestIDTaken = errors.New("repeatability request id taken")
)

// resource is one stored ARM resource: its JSON document and where it sits.
// Kind is e.g. "batchEndpoints" or "codes/versions"; Parent is the name of
// the enclosing resource ("" at workspace level). Names are matched
// case-insensitively, as ARM does, but kept as first written.
type resource struct {
	Kind    string
	Parent  string
	Name    string
	Body    []byte
	Created time.Time
	Updated time.Time
}

// jobFilter selects jobs for a listing. Empty fields match everything.
type jobFilter struct {
	Endpoint   string
	Deployment string
	// Offset and Limit page through the newest-first list; Limit 0 means all.
	Offset, Limit int
}

// store is the server's durable state. The only implementation is SQLite
// (sqliteStore); the interface keeps handlers independent of SQL and lets
// tests reopen the same state to check persistence.
type store interface {
	GetResource(ctx context.Context, kind, parent, name string) (resource, error)
	// PutResource inserts or replaces; Created is kept on replace.
	PutResource(ctx context.Context, r resource) error
	// ListResources returns a kind's resources under parent, oldest first.
	ListResources(ctx context.Context, kind, parent string) ([]resource, error)
	DeleteResource(ctx context.Context, kind, parent, name string) error
	// DeleteChildren removes every resource of kind under parent.
	DeleteChildren(ctx context.Context, kind, parent string) error

	// CreateJob stores a new job; errJobNameTaken or errRequestIDTaken when
	// its name or non-empty RequestID is already used.
	CreateJob(ctx context.Context, j *jobRecord) error
	GetJob(ctx context.Context, name string) (*jobRecord, error)
	JobByRequestID(ctx context.Context, requestID string) (*jobRecord, error)
	UpdateJob(ctx context.Context, j *jobRecord) error
	// ListJobs returns matching jobs, newest first.
	ListJobs(ctx context.Context, f jobFilter) ([]*jobRecord, error)

	// AppendEvent stores e for job with the next sequence number (from 1).
	AppendEvent(ctx context.Context, job string, e jobEvent) (jobEvent, error)
	// Events returns up to limit events of job with Seq > after.
	Events(ctx context.Context, job string, after int64, limit int) ([]jobEvent, error)

	// Meta reads and SetMeta writes server-wide settings (account key,
	// workspace id); ok is false for an unset key.
	Meta(ctx context.Context, key string) (value string, ok bool, err error)
	SetMeta(ctx context.Context, key, value string) error

	Close() error
}
