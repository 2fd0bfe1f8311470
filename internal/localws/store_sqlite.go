package localws

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	// Pure Go SQLite (a C-to-Go translation): no cgo, so ml stays one
	// static binary.
	_ "modernc.org/sqlite"
)

const schema = `
CREATE TABLE IF NOT EXISTS resources (
	kind        TEXT NOT NULL,
	parent      TEXT NOT NULL, -- lower-cased, for case-insensitive lookups
	parent_name TEXT NOT NULL, -- as first written
	key         TEXT NOT NULL, -- lower-cased name
	name        TEXT NOT NULL,
	body    BLOB NOT NULL,
	created TEXT NOT NULL,
	updated TEXT NOT NULL,
	PRIMARY KEY (kind, parent, key)
);
CREATE TABLE IF NOT EXISTS jobs (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL UNIQUE,
	request_id TEXT UNIQUE,
	endpoint   TEXT NOT NULL,
	deployment TEXT NOT NULL,
	status     TEXT NOT NULL,
	body       BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_endpoint ON jobs (endpoint, seq);
CREATE TABLE IF NOT EXISTS job_events (
	job  TEXT NOT NULL,
	seq  INTEGER NOT NULL,
	body BLOB NOT NULL,
	PRIMARY KEY (job, seq)
);
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
`

// sqliteStore keeps state in one SQLite file. One connection serialises all
// statements: SQLite allows a single writer anyway, and it makes the
// read-modify-write sequences below free of interleaving.
type sqliteStore struct {
	db *sql.DB
}

// stateDBFile is the database in the state folder.
const stateDBFile = "state.db"

func openSQLiteStore(dir string) (*sqliteStore, error) {
	path := filepath.Join(dir, stateDBFile)
	// WAL with synchronous=NORMAL commits without an fsync each (a power
	// cut may lose the last commits, never corrupt the file). Exclusive
	// locking keeps the file lock for the connection's lifetime: it saves
	// lock system calls on every statement, and a second server on the
	// same folder fails at once instead of sharing the state.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=locking_mode(EXCLUSIVE)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(1000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return nil, fmt.Errorf("state database %s is in use by another process: is another `ml local serve` running on this folder? (%w)", path, err)
		}
		return nil, fmt.Errorf("initialise state database %s: %w", path, err)
	}
	return &sqliteStore{db: db}, nil
}

func (s *sqliteStore) Close() error { return s.db.Close() }

func resourceKey(name string) string { return strings.ToLower(name) }

const timeLayout = time.RFC3339Nano

func (s *sqliteStore) GetResource(ctx context.Context, kind, parent, name string) (resource, error) {
	r := resource{Kind: kind}
	var created, updated string
	err := s.db.QueryRowContext(ctx,
		`SELECT parent_name, name, body, created, updated FROM resources WHERE kind = ? AND parent = ? AND key = ?`,
		kind, resourceKey(parent), resourceKey(name)).Scan(&r.Parent, &r.Name, &r.Body, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return resource{}, errNoRecord
	}
	if err != nil {
		return resource{}, err
	}
	r.Created, _ = time.Parse(timeLayout, created)
	r.Updated, _ = time.Parse(timeLayout, updated)
	return r, nil
}

func (s *sqliteStore) PutResource(ctx context.Context, r resource) error {
	now := time.Now().UTC()
	if r.Created.IsZero() {
		r.Created = now
	}
	if r.Updated.IsZero() {
		r.Updated = now
	}
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO resources (kind, parent, parent_name, key, name, body, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (kind, parent, key) DO UPDATE SET body = excluded.body, updated = excluded.updated`,
		r.Kind, resourceKey(r.Parent), r.Parent, resourceKey(r.Name), r.Name, r.Body,
		r.Created.Format(timeLayout), r.Updated.Format(timeLayout))
	return err
}

func (s *sqliteStore) ListResources(ctx context.Context, kind, parent string) ([]resource, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT parent_name, name, body, created, updated FROM resources WHERE kind = ? AND parent = ? ORDER BY created, key`,
		kind, resourceKey(parent))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []resource
	for rows.Next() {
		r := resource{Kind: kind}
		var created, updated string
		if err := rows.Scan(&r.Parent, &r.Name, &r.Body, &created, &updated); err != nil {
			return nil, err
		}
		r.Created, _ = time.Parse(timeLayout, created)
		r.Updated, _ = time.Parse(timeLayout, updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *sqliteStore) DeleteResource(ctx context.Context, kind, parent, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM resources WHERE kind = ? AND parent = ? AND key = ?`,
		kind, resourceKey(parent), resourceKey(name))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoRecord
	}
	return nil
}

func (s *sqliteStore) DeleteChildren(ctx context.Context, kind, parent string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM resources WHERE kind = ? AND parent = ?`, kind, resourceKey(parent))
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *sqliteStore) CreateJob(ctx context.Context, j *jobRecord) error {
	body, err := json.Marshal(j)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if j.RequestID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE request_id = ?`, j.RequestID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errRequestIDTaken
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE name = ?`, j.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errJobNameTaken
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO jobs (name, request_id, endpoint, deployment, status, body) VALUES (?, ?, ?, ?, ?, ?)`,
		j.Name, nullable(j.RequestID), resourceKey(j.Endpoint), resourceKey(j.Deployment), j.Status, body); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqliteStore) scanJob(row interface{ Scan(...any) error }) (*jobRecord, error) {
	var body []byte
	if err := row.Scan(&body); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errNoRecord
		}
		return nil, err
	}
	var j jobRecord
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("decode stored job: %w", err)
	}
	return &j, nil
}

func (s *sqliteStore) GetJob(ctx context.Context, name string) (*jobRecord, error) {
	return s.scanJob(s.db.QueryRowContext(ctx, `SELECT body FROM jobs WHERE name = ?`, name))
}

func (s *sqliteStore) JobByRequestID(ctx context.Context, requestID string) (*jobRecord, error) {
	return s.scanJob(s.db.QueryRowContext(ctx, `SELECT body FROM jobs WHERE request_id = ?`, requestID))
}

func (s *sqliteStore) UpdateJob(ctx context.Context, j *jobRecord) error {
	body, err := json.Marshal(j)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET status = ?, body = ? WHERE name = ?`, j.Status, body, j.Name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoRecord
	}
	return nil
}

func (s *sqliteStore) ListJobs(ctx context.Context, f jobFilter) ([]*jobRecord, error) {
	q := `SELECT body FROM jobs WHERE 1 = 1`
	var args []any
	if f.Endpoint != "" {
		q += ` AND endpoint = ?`
		args = append(args, resourceKey(f.Endpoint))
	}
	if f.Deployment != "" {
		q += ` AND deployment = ?`
		args = append(args, resourceKey(f.Deployment))
	}
	q += ` ORDER BY seq DESC`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jobRecord
	for rows.Next() {
		j, err := s.scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func (s *sqliteStore) AppendEvent(ctx context.Context, job string, e jobEvent) (jobEvent, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return e, err
	}
	defer tx.Rollback()
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM job_events WHERE job = ?`, job).Scan(&last); err != nil {
		return e, err
	}
	e.Seq = last.Int64 + 1
	body, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO job_events (job, seq, body) VALUES (?, ?, ?)`, job, e.Seq, body); err != nil {
		return e, err
	}
	return e, tx.Commit()
}

func (s *sqliteStore) Events(ctx context.Context, job string, after int64, limit int) ([]jobEvent, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT body FROM job_events WHERE job = ? AND seq > ? ORDER BY seq LIMIT ?`, job, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jobEvent
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e jobEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("decode stored job event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *sqliteStore) Meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (s *sqliteStore) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
