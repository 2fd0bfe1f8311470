package localws

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws/blob"
	"github.com/mlbatch/ml/internal/localws/datastore"
)

// Server is one local workspace. Build it with New; serve it with Start or
// by mounting Handler; stop it with Shutdown.
type Server struct {
	opts Options
	log  *slog.Logger
	// lock is Dir/server.lock, held until Shutdown (localinfo.Lock).
	lock   *os.File
	store  store
	token  []byte
	faults atomic.Pointer[faultInjector]

	// Storage of the workspaceblobstore datastore.
	blobRoot    string
	account     string
	accountKey  []byte
	container   string
	workspaceID string

	handler http.Handler
	blob    *blob.Handler
	// data is where the datastore's blobs are: s.blob's files, or an
	// existing account (remote is then set).
	data   datastore.Store
	remote bool
	jobs   *scheduler
	events *jobNotifier
	// closing is closed when Shutdown starts, releasing long polls.
	closing chan struct{}
	// longPolls counts event requests parked waiting for a change.
	longPolls atomic.Int64

	// createMu serialises read-then-write creations: jobs (so a repeated
	// repeatability_request-id always finds the first job) and asset
	// versions (so latestVersion/nextVersion stay consistent).
	createMu sync.Mutex
	// jobMu serialises read-modify-write updates of job records.
	jobMu sync.Mutex

	mu       sync.Mutex // guards the fields below
	httpSrv  *http.Server
	serveErr chan error
	url      string
	closed   bool
}

// Meta keys of the state database.
const (
	metaWorkspaceID = "workspaceId"
	metaAccountKey  = "storageAccountKey"
)

// New opens (or creates) the local workspace in opts.Dir. It does not listen
// yet; jobs left queued by a previous run are resumed, and jobs left running
// are marked Failed.
func New(opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := makePrivate(opts.Dir); err != nil {
		return nil, fmt.Errorf("localws: %w", err)
	}
	lock, err := localinfo.Lock(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localws: %w", err)
	}
	ok := false
	defer func() {
		if !ok && lock != nil {
			lock.Close()
		}
	}()
	for _, d := range []string{filepath.Join(opts.Dir, "blob"), filepath.Join(opts.Dir, "jobs")} {
		if err := os.MkdirAll(d, privateDirMode); err != nil {
			return nil, fmt.Errorf("localws: create state folder: %w", err)
		}
	}
	st, err := openSQLiteStore(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localws: %w", err)
	}
	s := &Server{
		opts:     opts,
		lock:     lock,
		log:      opts.Logger,
		store:    st,
		blobRoot: filepath.Join(opts.Dir, "blob"),
		account:  DefaultStorageAccount,
		events:   newJobNotifier(),
		closing:  make(chan struct{}),
	}
	s.faults.Store(newFaultInjector(opts.Faults))
	if err := s.loadIdentity(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("localws: %w", err)
	}
	if err := s.tightenAll(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("localws: %w", err)
	}
	if n, err := s.migrateLocations(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("localws: migrate asset locations: %w", err)
	} else if n > 0 {
		s.log.Info("asset locations stored as datastore URIs", "versions", n)
	}
	if opts.Token != "" {
		s.token = []byte(opts.Token)
	} else {
		s.token = []byte(randomToken(32))
	}
	if s.blob, err = s.newBlobHandler(); err != nil {
		st.Close()
		return nil, fmt.Errorf("localws: %w", err)
	}
	if err := s.openDatastore(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("localws: %w", err)
	}
	s.handler = s.buildHandler()
	s.jobs = newScheduler(s, opts.MaxConcurrentJobs)
	if err := s.jobs.recover(context.Background()); err != nil {
		s.jobs.stop(context.Background())
		st.Close()
		return nil, fmt.Errorf("localws: resume jobs: %w", err)
	}
	ok = true
	return s, nil
}

// loadIdentity reads, or creates on first use, the workspace id and the
// storage account key. Both must survive restarts: the key is what clients
// sign blob requests with, and the container name derives from the id.
func (s *Server) loadIdentity(ctx context.Context) error {
	id, ok, err := s.store.Meta(ctx, metaWorkspaceID)
	if err != nil {
		return err
	}
	if !ok {
		id = uuid.NewString()
		if err := s.store.SetMeta(ctx, metaWorkspaceID, id); err != nil {
			return err
		}
	}
	key, ok, err := s.store.Meta(ctx, metaAccountKey)
	if err != nil {
		return err
	}
	if !ok {
		key = randomKey(64)
		if err := s.store.SetMeta(ctx, metaAccountKey, key); err != nil {
			return err
		}
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return fmt.Errorf("stored storage account key is not base64: %w", err)
	}
	s.workspaceID = id
	s.accountKey = raw
	s.container = "azureml-blobstore-" + id
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// inside Read instead); keep the guard for clarity.
		panic("localws: crypto/rand: " + err.Error())
	}
	return b
}

func randomToken(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
func randomKey(n int) string   { return base64.StdEncoding.EncodeToString(randomBytes(n)) }

// Handler serves every route of the workspace: ARM, scoring, run history,
// discovery and blob. It applies fault injection, the body limit and auth.
func (s *Server) Handler() http.Handler { return s.handler }

// Token returns the bearer token clients must send.
func (s *Server) Token() string { return string(s.token) }

// FaultCounts returns how many faults of each kind have been injected
// since New or the last SetFaults.
func (s *Server) FaultCounts() map[string]int64 { return s.faults.Load().snapshot() }

// SetFaults replaces the fault injection of a running server (and resets
// its counts), so a fault suite can set up its endpoints first.
func (s *Server) SetFaults(f FaultOptions) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.faults.Store(newFaultInjector(f))
	return nil
}

// Start listens on Options.Addr (loopback only), serves in the background
// and writes Dir/server.json. ctx bounds only the start-up.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("localws: Start after Shutdown")
	}
	if s.httpSrv != nil {
		return errors.New("localws: already started")
	}
	addr := s.opts.Addr
	if host, port, _ := net.SplitHostPort(addr); host == "localhost" {
		// Bind the IPv4 loopback explicitly: "localhost" may resolve to ::1
		// first, and the documented URL is 127.0.0.1.
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		// The caller knows its own flags; internal/cmd/local/serve names --port.
		return fmt.Errorf("localws: listen on %s: %w", addr, err)
	}
	s.url = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.serveErr = make(chan error, 1)
	go func(srv *http.Server) {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}(s.httpSrv)
	info := localinfo.Info{
		URL:            s.url,
		PID:            os.Getpid(),
		Token:          string(s.token),
		Subscription:   s.opts.Subscription,
		ResourceGroup:  s.opts.ResourceGroup,
		Workspace:      s.opts.Workspace,
		StorageAccount: s.account,
		StartedAt:      time.Now().UTC().Truncate(time.Second),
	}
	if err := localinfo.Write(s.opts.Dir, info); err != nil {
		_ = s.httpSrv.Close()
		s.httpSrv = nil
		return fmt.Errorf("localws: %w", err)
	}
	s.log.Info("local workspace listening", "url", s.url, "dir", s.opts.Dir)
	return nil
}

// URL is the base URL after Start ("" before).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Shutdown stops accepting requests, waits for in-flight ones (bounded by
// ctx), cancels running jobs (they end Failed: "the local workspace stopped
// while the job was running"), removes server.json and closes the state
// database. It is safe to call on a server that was never started, and more
// than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, serveErr := s.httpSrv, s.serveErr
	s.mu.Unlock()
	close(s.closing)

	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			_ = srv.Close()
		}
		if err := <-serveErr; err != nil {
			errs = append(errs, err)
		}
		if err := os.Remove(filepath.Join(s.opts.Dir, localinfo.FileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.jobs.stop(ctx)
	if err := s.store.Close(); err != nil {
		errs = append(errs, err)
	}
	if s.lock != nil {
		// Last: until here another server must not open the state.
		s.lock.Close()
	}
	if len(errs) > 0 {
		return fmt.Errorf("localws: shutdown: %w", errors.Join(errs...))
	}
	return nil
}

func encodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }
