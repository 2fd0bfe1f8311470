package blob

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// stagedSweepInterval is how often Put Block may start a sweep of expired
// uncommitted blocks (besides the one at NewHandler).
const stagedSweepInterval = time.Hour

// stagedCollector remembers when uncommitted blocks were last swept.
type stagedCollector struct {
	last    atomic.Int64 // handler clock, UnixNano
	running atomic.Bool
}

// maybeCollectStaged starts a sweep in the background when the last one is
// older than stagedSweepInterval and none is running.
func (h *Handler) maybeCollectStaged() {
	now := h.now().UnixNano()
	if now-h.collector.last.Load() < int64(stagedSweepInterval) || !h.collector.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer h.collector.running.Store(false)
		h.collectStaged()
	}()
}

// collectStaged discards the uncommitted blocks of every blob whose most
// recently staged block is older than the retention period, as Azure
// garbage-collects blocks no commit used. A blob still being uploaded
// keeps all its blocks: its newest one is recent.
func (h *Handler) collectStaged() {
	now := h.now()
	h.collector.last.Store(now.UnixNano())
	cutoff := now.Add(-h.retention)
	// stage/<account>/<container>/<blob key>/<block>
	blobs, _ := filepath.Glob(filepath.Join(h.stageRoot(), "*", "*", "*"))
	for _, dir := range blobs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		newest := time.Time{}
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
		if newest.Before(cutoff) {
			if err := os.RemoveAll(dir); err != nil {
				h.log.Warn("blob: discard expired uncommitted blocks", "dir", dir, "err", err)
			}
		}
	}
}
