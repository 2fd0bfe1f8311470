package blob

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DefaultMaxBodyBytes caps a request body when Options.MaxBodyBytes is 0.
// 256 MiB is the largest single Put Blob azblob sends before it switches to
// blocks (blockblob.MaxUploadBlobBytes), and blocks are far smaller, so
// uploads with SDK defaults never reach it.
const DefaultMaxBodyBytes int64 = 256 << 20

// DefaultStagedBlockRetention is Azure's: uncommitted blocks are
// discarded a week after they were staged if no commit used them.
const DefaultStagedBlockRetention = 7 * 24 * time.Hour

// ServiceVersion is the x-ms-version answered when a request carries none.
// Requests that carry one get it echoed back, as Azurite does.
const ServiceVersion = "2025-11-05"

// Options configure a Handler.
type Options struct {
	// Root is the folder that holds every account's blobs, as plain files
	// Root/<account>/<container>/<blob name>, and the service's own state
	// under Root/.blobsvc. It is created when missing. Required.
	Root string
	// Accounts maps each served account name (3 to 24 lowercase letters and
	// digits) to its decoded account key, which verifies Shared Key and SAS
	// signatures. At least one is required.
	Accounts map[string][]byte
	// PathPrefix is the path the handler is mounted at, e.g. "/blob": request
	// paths must start with it (mount without http.StripPrefix), and it is
	// part of the path the clients sign. Empty means the handler serves "/".
	PathPrefix string
	// MaxBodyBytes caps the body of any request: larger ones get 413
	// RequestBodyTooLarge before a byte is stored. Zero means
	// DefaultMaxBodyBytes; negative is an error.
	MaxBodyBytes int64
	// StagedBlockRetention is how long uncommitted blocks are kept after
	// they were staged (blocks of uploads that never committed: a killed
	// client). Zero means DefaultStagedBlockRetention; negative is an
	// error.
	StagedBlockRetention time.Duration
	// Now is the clock for SAS validity, request-date checks and staged
	// block retention. Nil means time.Now.
	Now func() time.Time
	// Logger receives one debug line per request (method, path, status;
	// never the query, which may hold a SAS signature) and server-side
	// failures. Nil discards them.
	Logger *slog.Logger
	// Sync makes every write so far durable. A write is answered only once
	// a Sync that started after it has returned (one Sync serves every
	// request waiting, see groupSync); an error answers 500 InternalError.
	// Nil means syncfs(2) of Root's filesystem on Linux, and no wait
	// elsewhere (see syncRoot).
	Sync func() error
}

// Handler is the Blob service of the local workspace. Build it with
// NewHandler; it is safe for concurrent use.
type Handler struct {
	root     string // absolute, symbolic links resolved
	state    string // root/.blobsvc
	accounts map[string][]byte
	prefix   string
	maxBody  int64
	now      func() time.Time
	log      *slog.Logger
	locks    lockTable
	etags    etagSource

	retention time.Duration
	collector stagedCollector
	// synced is nil when writes are not waited for (Options.Sync).
	synced *groupSync
}

// NewHandler checks opts, creates Root and the service's state folders and
// returns the handler.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Root == "" {
		return nil, errors.New("blob: Options.Root is required: pass the folder that holds the blobs (e.g. <state dir>/blob)")
	}
	if len(opts.Accounts) == 0 {
		return nil, errors.New("blob: Options.Accounts is empty: add at least one account name with its decoded key")
	}
	accounts := make(map[string][]byte, len(opts.Accounts))
	for name, key := range opts.Accounts {
		if !validAccountName(name) {
			return nil, fmt.Errorf("blob: Options.Accounts: account name %q is invalid: use 3 to 24 lowercase letters and digits", name)
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("blob: Options.Accounts[%q]: the key is empty: pass the decoded (not base64) account key", name)
		}
		accounts[name] = append([]byte(nil), key...)
	}
	prefix := strings.TrimRight(opts.PathPrefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("blob: Options.PathPrefix %q must start with '/' (e.g. \"/blob\")", opts.PathPrefix)
	}
	if opts.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("blob: Options.MaxBodyBytes %d is negative: use a positive limit or 0 for %d", opts.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.StagedBlockRetention < 0 {
		return nil, fmt.Errorf("blob: Options.StagedBlockRetention %v is negative: use a positive duration or 0 for %v", opts.StagedBlockRetention, DefaultStagedBlockRetention)
	}
	if opts.StagedBlockRetention == 0 {
		opts.StagedBlockRetention = DefaultStagedBlockRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("blob: Options.Root %q: %w", opts.Root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("blob: create Options.Root: %w", err)
	}
	// Resolve links in Root once, so containment checks compare real paths.
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("blob: resolve Options.Root %q: %w", opts.Root, err)
	}
	h := &Handler{
		root:     root,
		state:    filepath.Join(root, stateDirName),
		accounts: accounts,
		prefix:   prefix,
		maxBody:  opts.MaxBodyBytes,
		now:      opts.Now,
		log:      opts.Logger,

		retention: opts.StagedBlockRetention,
	}
	if opts.Sync == nil {
		opts.Sync = syncRoot(root)
	}
	if opts.Sync != nil {
		h.synced = &groupSync{sync: opts.Sync}
	}
	for _, dir := range []string{h.metaRoot(), h.stageRoot(), h.tmpDir()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("blob: create state folder: %w", err)
		}
	}
	for name := range accounts {
		if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
			return nil, fmt.Errorf("blob: create account folder: %w", err)
		}
	}
	h.removeStaleTemps()
	h.collectStaged()
	return h, nil
}

func (h *Handler) metaRoot() string  { return filepath.Join(h.state, metaDirName) }
func (h *Handler) stageRoot() string { return filepath.Join(h.state, stageDirName) }
func (h *Handler) tmpDir() string    { return filepath.Join(h.state, tmpDirName) }

// removeStaleTemps deletes uploads left in flight by a crash; an hour keeps
// clear of uploads another handler on the same Root may still be writing.
func (h *Handler) removeStaleTemps() {
	entries, err := os.ReadDir(h.tmpDir())
	if err != nil {
		return
	}
	cutoff := h.now().Add(-time.Hour)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(h.tmpDir(), e.Name()))
		}
	}
}

// call is one request being served.
type call struct {
	h     *Handler
	w     *statusWriter
	r     *http.Request
	id    string
	now   time.Time
	route route
	grant grant
}

// ServeHTTP authenticates the request, then runs the Blob operation it
// names.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	c := &call{h: h, w: &statusWriter{ResponseWriter: rw}, r: r, id: uuid.NewString(), now: h.now()}
	hdr := c.w.Header()
	hdr.Set("x-ms-request-id", c.id)
	hdr.Set("x-ms-version", responseVersion(r))
	hdr.Set("Date", c.now.UTC().Format(http.TimeFormat))
	hdr.Set("Server", "ml-local-blob")
	if id := r.Header.Get("x-ms-client-request-id"); id != "" && len(id) <= 1024 {
		hdr.Set("x-ms-client-request-id", id)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error("blob: panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if !c.w.wrote {
				c.fail(newError("InternalError", ""))
			}
		}
		h.log.Debug("blob request", "method", r.Method, "path", r.URL.Path, "status", c.w.status, "request_id", c.id)
	}()
	c.serve()
}

func (c *call) serve() {
	rt, err := c.h.parseRoute(c.r)
	if err != nil {
		c.fail(err)
		return
	}
	if c.grant, err = c.h.authenticate(c.r, rt, c.now); err != nil {
		c.fail(err)
		return
	}
	if rt.op, err = selectOperation(c.r, rt); err != nil {
		c.fail(err)
		return
	}
	c.route = rt
	if err := c.grant.allows(rt.op); err != nil {
		c.fail(err)
		return
	}
	// Every body counts against the limit, not only uploads; chunked
	// uploads are caught while they are received.
	if c.r.ContentLength > c.h.maxBody {
		c.fail(c.h.tooLarge())
		return
	}
	if err := rt.checkNames(); err != nil {
		c.fail(err)
		return
	}
	if err := c.h.run(c); err != nil {
		c.fail(err)
	}
}

// fail answers with err: a storageError as it is, anything else as a 500
// whose cause goes to the log only.
func (c *call) fail(err error) {
	var se *storageError
	if !errors.As(err, &se) {
		c.h.log.Error("blob: request failed", "method", c.r.Method, "path", c.r.URL.Path, "request_id", c.id, "err", err)
		se = newError("InternalError", "")
	}
	if c.w.wrote {
		// The body already started: nothing valid can follow. Abort so the
		// client sees a broken response rather than a truncated blob.
		panic(http.ErrAbortHandler)
	}
	writeError(c.w, c.r, c.id, c.now, se)
}

// responseVersion echoes a plausible x-ms-version, else ServiceVersion.
func responseVersion(r *http.Request) string {
	v := r.Header.Get("x-ms-version")
	if len(v) == len("2006-01-02") && v[4] == '-' && v[7] == '-' {
		return v
	}
	return ServiceVersion
}

// statusWriter remembers the status sent, for the log and for fail.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's zero-copy path (sendfile) for blob downloads.
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
