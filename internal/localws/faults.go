package localws

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault kinds understood by FaultOptions.Kinds.
const (
	// FaultTooManyRequests answers 429 with a Retry-After header.
	FaultTooManyRequests = "429"
	// FaultUnavailable answers 503.
	FaultUnavailable = "503"
	// FaultDrop closes the connection without any response.
	FaultDrop = "drop"
	// FaultLost runs a write (any method but GET and HEAD), then closes the
	// connection without its answer: the effect happened and the client
	// cannot know, so its retry must not repeat it (idempotent PUTs, the
	// invoke's repeatability id, Put Block List's Latest). GET and HEAD
	// have no effect to lose; they are dropped.
	FaultLost = "lost"
	// FaultCorrupt flips a bit of the request body's first byte on its way
	// in, as a bad link would: the service must refuse what it cannot
	// verify (blob checksums, JSON and XML syntax), never store it.
	// Requests without a body pass untouched.
	FaultCorrupt = "corrupt"
)

// transientFaultKinds are the kinds an empty Kinds draws from: failures a
// retry recovers from with no effect to account for.
var transientFaultKinds = []string{FaultTooManyRequests, FaultUnavailable, FaultDrop}

var allFaultKinds = []string{FaultTooManyRequests, FaultUnavailable, FaultDrop, FaultLost, FaultCorrupt}

// FaultOptions make a share of requests fail before any handler runs, so a
// faulted request never has a side effect and a client that retries it gets
// exactly one effect. The zero value injects nothing.
//
// FaultOptions is also a pflag.Value (String, Set, Type), so it can back a
// --faults flag directly; the text form is the one ParseFaults reads.
type FaultOptions struct {
	// Rate is the probability, in [0, 1], that a request is faulted.
	Rate float64
	// Kinds are drawn from uniformly for each faulted request: "429", "503",
	// "drop", "lost", "corrupt". Empty means the three transient ones (429,
	// 503, drop).
	Kinds []string
	// Seed seeds the draw so a test run is reproducible; zero is a valid seed.
	Seed int64
	// RetryAfter is the Retry-After sent with injected 429s, in whole
	// seconds. Zero means the default of 1s; a negative value sends
	// "Retry-After: 0" so tests retry at once.
	RetryAfter time.Duration
	// Latency delays every request by this long before it is served (or
	// faulted), as a far-away service would: one round trip to Azure is
	// tens to hundreds of milliseconds, one to 127.0.0.1 is nothing, so a
	// client's sequential round trips show only with it (the invoke
	// benchmark counts them this way).
	Latency time.Duration
}

// ParseFaults reads the text form of FaultOptions, e.g.
// "rate=0.3,kinds=429+503+drop,seed=1,retryafter=0" or "latency=50ms".
// Keys may come in any order; kinds are joined with '+'. An empty string
// is the zero value.
func ParseFaults(s string) (FaultOptions, error) {
	var f FaultOptions
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	for _, part := range strings.Split(s, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return FaultOptions{}, fmt.Errorf("fault spec %q: %q is not key=value (use e.g. rate=0.3,kinds=429+503+drop,seed=1)", s, part)
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "rate":
			r, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return FaultOptions{}, fmt.Errorf("fault spec %q: rate %q is not a number between 0 and 1", s, value)
			}
			f.Rate = r
		case "kinds", "kind":
			f.Kinds = nil
			for _, k := range strings.Split(value, "+") {
				if k = strings.TrimSpace(k); k != "" {
					f.Kinds = append(f.Kinds, k)
				}
			}
		case "seed":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return FaultOptions{}, fmt.Errorf("fault spec %q: seed %q is not an integer", s, value)
			}
			f.Seed = n
		case "retryafter", "retry-after":
			n, err := strconv.Atoi(value)
			if err != nil {
				return FaultOptions{}, fmt.Errorf("fault spec %q: retryafter %q is not a whole number of seconds", s, value)
			}
			if n == 0 {
				f.RetryAfter = -1
			} else {
				f.RetryAfter = time.Duration(n) * time.Second
			}
		case "latency":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return FaultOptions{}, fmt.Errorf("fault spec %q: latency %q is not a duration such as 50ms", s, value)
			}
			f.Latency = d
		default:
			return FaultOptions{}, fmt.Errorf("fault spec %q: unknown key %q (known: rate, kinds, seed, retryafter, latency)", s, key)
		}
	}
	if err := f.validate(); err != nil {
		return FaultOptions{}, err
	}
	return f, nil
}

// FaultsFromEnv parses $ML_LOCAL_FAULTS; unset or empty is the zero value.
func FaultsFromEnv() (FaultOptions, error) {
	f, err := ParseFaults(os.Getenv(EnvFaults))
	if err != nil {
		return FaultOptions{}, fmt.Errorf("$%s: %w", EnvFaults, err)
	}
	return f, nil
}

func (f FaultOptions) validate() error {
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("fault rate %v: must be between 0 and 1", f.Rate)
	}
	for _, k := range f.Kinds {
		if !slices.Contains(allFaultKinds, k) {
			return fmt.Errorf("fault kind %q: use %s", k, strings.Join(allFaultKinds, ", "))
		}
	}
	return nil
}

// String renders f in the form ParseFaults reads.
func (f *FaultOptions) String() string {
	if f == nil {
		return ""
	}
	var parts []string
	if f.Rate != 0 {
		parts = append(parts, "rate="+strconv.FormatFloat(f.Rate, 'g', -1, 64))
		if len(f.Kinds) > 0 {
			parts = append(parts, "kinds="+strings.Join(f.Kinds, "+"))
		}
		parts = append(parts, "seed="+strconv.FormatInt(f.Seed, 10))
		switch {
		case f.RetryAfter < 0:
			parts = append(parts, "retryafter=0")
		case f.RetryAfter > 0:
			parts = append(parts, "retryafter="+strconv.Itoa(int(f.RetryAfter/time.Second)))
		}
	}
	if f.Latency > 0 {
		parts = append(parts, "latency="+f.Latency.String())
	}
	return strings.Join(parts, ",")
}

// Set parses s into f (pflag.Value).
func (f *FaultOptions) Set(s string) error {
	parsed, err := ParseFaults(s)
	if err != nil {
		return err
	}
	*f = parsed
	return nil
}

// Type names the flag value's type in help text (pflag.Value).
func (f *FaultOptions) Type() string { return "faults" }

// faultInjector decides, request by request, whether to fault it.
type faultInjector struct {
	opts   FaultOptions
	kinds  []string
	mu     sync.Mutex // guards rng: rand.Rand is not safe for concurrent use
	rng    *rand.Rand
	counts map[string]*atomic.Int64
}

func newFaultInjector(opts FaultOptions) *faultInjector {
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = transientFaultKinds
	}
	fi := &faultInjector{
		opts:   opts,
		kinds:  kinds,
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x6d6c6c6f63616c)),
		counts: map[string]*atomic.Int64{},
	}
	for _, k := range allFaultKinds {
		fi.counts[k] = new(atomic.Int64)
	}
	return fi
}

// draw returns the fault kind for the next request, or "" for none.
func (fi *faultInjector) draw() string {
	if fi.opts.Rate <= 0 {
		return ""
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.rng.Float64() >= fi.opts.Rate {
		return ""
	}
	return fi.kinds[fi.rng.IntN(len(fi.kinds))]
}

// injectFaults applies the server's current fault injector (SetFaults
// may swap it) in front of next.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.faults.Load().serve(w, r, next)
	})
}

// serve answers r with a fault, or passes it to next, after the latency.
func (fi *faultInjector) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if fi.opts.Latency > 0 {
		t := time.NewTimer(fi.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	kind := fi.draw()
	if kind == "" {
		next.ServeHTTP(w, r)
		return
	}
	fi.counts[kind].Add(1)
	switch kind {
	case FaultTooManyRequests:
		retry := "1"
		switch {
		case fi.opts.RetryAfter < 0:
			retry = "0"
		case fi.opts.RetryAfter > 0:
			retry = strconv.Itoa(int(fi.opts.RetryAfter / time.Second))
		}
		w.Header().Set("Retry-After", retry)
		writeError(w, &apiError{Status: http.StatusTooManyRequests, Code: codeTooManyRequests, Message: "injected fault: too many requests (" + EnvFaults + ")"})
	case FaultUnavailable:
		writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: codeServiceUnavail, Message: "injected fault: service unavailable (" + EnvFaults + ")"})
	case FaultDrop:
		dropConnection(w)
	case FaultLost:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(&lostAnswer{header: http.Header{}}, r)
		}
		dropConnection(w)
	case FaultCorrupt:
		if r.Body != nil && r.ContentLength != 0 {
			r.Body = &corruptedBody{ReadCloser: r.Body}
		}
		next.ServeHTTP(w, r)
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 has no hijacking; abort the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// lostAnswer is the ResponseWriter of a request whose answer is lost: the
// handler runs to the end and what it writes goes nowhere.
type lostAnswer struct{ header http.Header }

func (l *lostAnswer) Header() http.Header         { return l.header }
func (l *lostAnswer) Write(b []byte) (int, error) { return len(b), nil }
func (l *lostAnswer) WriteHeader(int)             {}

// corruptedBody flips the low bit of the body's first byte.
type corruptedBody struct {
	io.ReadCloser
	done bool
}

func (c *corruptedBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if n > 0 && !c.done {
		p[0] ^= 0x01
		c.done = true
	}
	return n, err
}

// snapshot returns the number of injected faults per kind.
func (fi *faultInjector) snapshot() map[string]int64 {
	out := make(map[string]int64, len(fi.counts))
	for k, c := range fi.counts {
		out[k] = c.Load()
	}
	return out
}
