package blob

import (
	"context"
	"sync"
)

// durable waits until c's changes are on disk: a mutating operation calls
// it after its last write and before its success status. When the
// client has gone, its context error is returned (nobody reads the answer).
func (h *Handler) durable(c *call) error {
	err := h.Sync(c.r.Context())
	if err == nil || c.r.Context().Err() != nil {
		return err
	}
	h.log.Error("blob store: sync to disk failed", "root", h.root, "err", err)
	return newError("InternalError", "The local workspace could not write the change to disk (%v); check the disk of %s and retry.", err, h.root)
}

// Sync returns once everything written under Root so far is on disk,
// whoever wrote it: the local workspace calls it for the files its jobs
// write straight into a container before it records their end. It
// returns at once when writes are not waited for (Options.Sync).
func (h *Handler) Sync(ctx context.Context) error {
	if h.synced == nil {
		return nil
	}
	return h.synced.wait(ctx)
}

// groupSync makes the store's writes durable in rounds (group commit):
// every caller waits for a sync that started after it called, and one
// sync serves every caller waiting for it, so sixteen uploads finishing at
// once cost one sync instead of sixteen. A success answered to a client
// therefore means its bytes, its sidecar and the renames that put both in
// place are on disk, as a success from Azure Storage does: a client that
// writes a completion marker after its uploads (ml's upload_status) never
// leaves a marker over content a power loss can still take away.
type groupSync struct {
	sync func() error

	mu      sync.Mutex
	running bool   // a goroutine is running rounds
	next    *round // the round new callers join; nil when none is waiting
}

// round is one sync and the callers it serves.
type round struct {
	done    chan struct{}
	err     error
	waiters int // callers it serves (tests check the grouping with it)
}

// wait returns once a sync that started after the call has ended, with
// its error, or with ctx's error when ctx ends first (the sync still
// runs; the caller just stops waiting).
func (g *groupSync) wait(ctx context.Context) error {
	g.mu.Lock()
	if g.next == nil {
		g.next = &round{done: make(chan struct{})}
	}
	r := g.next
	r.waiters++
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run syncs round after round while callers are waiting. A round is taken
// off g.next before its sync starts, so whoever joins during a sync waits
// for the next one.
func (g *groupSync) run() {
	for {
		g.mu.Lock()
		r := g.next
		g.next = nil
		if r == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		r.err = g.sync()
		close(r.done)
	}
}
