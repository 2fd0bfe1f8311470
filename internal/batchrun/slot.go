package batchrun

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// tracebackTailLines is how much of a Python traceback a job's failure
// message carries; the full traceback is in the error logs.
const tracebackTailLines = 12

// outcome is what a slot reports for one mini-batch.
type outcome struct {
	batch int
	count int      // elements run() returned
	rows  []string // output lines, append_row only
	err   *attemptError
	// fatal is set when no worker could be started: the job fails.
	fatal string
}

// slot is one worker position (a process on a node). It owns at most one
// live worker at a time and replaces it when it times out or dies.
type slot struct {
	id       workerID
	spec     workerSpec
	attempts int
	timeout  time.Duration
	batches  [][]string
	errs     *errorLog
	node     *lineLog
	w        *worker
}

// serve starts the slot's worker, as Azure starts every worker (and calls
// its init()) when the job starts, then processes mini-batches from queue
// until it is empty or ctx ends. Every worker gets through init() even when
// the others have already processed every mini-batch, so init() runs once in
// each of the job's workers, as on Azure.
func (sl *slot) serve(ctx context.Context, queue <-chan int, results chan<- outcome) {
	defer sl.release(ctx)
	if msg, ok := sl.ensureWorker(ctx); !ok {
		return
	} else if msg != "" {
		results <- outcome{batch: -1, fatal: msg}
		return
	}
	for idx := range queue {
		if ctx.Err() != nil {
			return
		}
		o, ok := sl.process(ctx, idx)
		if !ok {
			return
		}
		results <- o
		if o.fatal != "" {
			return
		}
	}
}

// release stops the slot's worker: politely when the job went well, at once
// when it was canceled or aborted.
func (sl *slot) release(ctx context.Context) {
	defer sl.node.close()
	if sl.w == nil {
		return
	}
	if ctx.Err() != nil {
		sl.w.kill()
	} else {
		sl.w.stop()
	}
	sl.node.printf("worker pid %d stopped", sl.w.pid)
	sl.w = nil
}

// process tries one mini-batch up to sl.attempts times. ok is false when ctx
// ended first; the mini-batch then has no outcome.
func (sl *slot) process(ctx context.Context, idx int) (outcome, bool) {
	files := sl.batches[idx]
	var last *attemptError
	for attempt := 1; attempt <= sl.attempts; attempt++ {
		if msg, ok := sl.ensureWorker(ctx); !ok {
			return outcome{}, false
		} else if msg != "" {
			return outcome{batch: idx, fatal: msg}, true
		}
		started := time.Now()
		ev, err := sl.w.run(ctx, idx, files, sl.timeout)
		if ctx.Err() != nil {
			sl.w.kill()
			sl.w = nil
			return outcome{}, false
		}
		took := time.Since(started).Round(time.Millisecond)
		if err == nil {
			sl.node.printf("mini-batch %d: %d files, run() returned %d elements, attempt %d of %d, pid %d, %s",
				idx, len(files), ev.Count, attempt, sl.attempts, sl.w.pid, took)
			return outcome{batch: idx, count: ev.Count, rows: ev.Rows}, true
		}
		if !errors.As(err, &last) {
			last = &attemptError{kind: attemptCrashed, message: err.Error()}
		}
		where := fmt.Sprintf("mini-batch %d, attempt %d of %d", idx, attempt, sl.attempts)
		sl.errs.record(sl.id, where, last.message, last.traceback)
		sl.node.printf("%s failed after %s: %s", where, took, firstLine(last.message))
		if last.kind != attemptRaised {
			// A timed-out or dead worker is replaced; the fresh one runs init() again.
			sl.w.kill()
			sl.w = nil
		}
	}
	return outcome{batch: idx, err: last}, true
}

// ensureWorker starts a worker when the slot has none. ok is false when ctx
// ended first; fatal explains a worker that could not start.
func (sl *slot) ensureWorker(ctx context.Context) (fatal string, ok bool) {
	if sl.w != nil {
		return "", true
	}
	w, err := startWorker(ctx, sl.spec)
	if ctx.Err() != nil {
		if w != nil {
			w.kill()
		}
		return "", false
	}
	if err != nil {
		return sl.startFailure(err), true
	}
	sl.w = w
	sl.node.printf("worker pid %d ready (init() returned)", w.pid)
	return "", true
}

// startFailure logs why a worker could not start and returns the job's
// failure message, with the tail of the Python traceback.
func (sl *slot) startFailure(err error) string {
	var se *startError
	if !errors.As(err, &se) {
		se = &startError{summary: err.Error()}
	}
	sl.errs.record(sl.id, "worker start", se.summary, se.traceback)
	sl.node.printf("worker failed to start: %s", firstLine(se.summary))
	msg := se.summary
	if tail := lastLines(se.traceback, tracebackTailLines); tail != "" {
		msg += "\n" + tail
	}
	return msg
}
