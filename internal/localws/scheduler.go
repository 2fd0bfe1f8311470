package localws

import (
	"context"
	"slices"
	"sync"
)

// scheduler runs jobs in the background: at most max at once, the rest
// FIFO in status Queued. The queue itself is not persisted separately: a
// restart rebuilds it from the jobs stored as Queued, oldest first.
type scheduler struct {
	s   *Server
	max int

	mu       sync.Mutex
	running  map[string]context.CancelFunc // slot holders; nil func = reserved, not started
	canceled map[string]bool               // cancel asked by a client, not by shutdown
	queue    []string
	stopping bool
	wg       sync.WaitGroup
}

func newScheduler(s *Server, max int) *scheduler {
	return &scheduler{s: s, max: max, running: map[string]context.CancelFunc{}, canceled: map[string]bool{}}
}

// admit decides a new job's first status: Preparing when a slot is free
// and nobody is queued (the slot is then reserved for it), Queued
// otherwise. Once the job is stored, call launch (Preparing) or enqueue
// (Queued); call release if storing failed.
func (sc *scheduler) admit(name string) string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.stopping && len(sc.running) < sc.max && len(sc.queue) == 0 {
		sc.running[name] = nil
		return statusPreparing
	}
	return statusQueued
}

// release undoes admit for a job that was never stored.
func (sc *scheduler) release(name string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if stop, ok := sc.running[name]; ok && stop == nil {
		delete(sc.running, name)
	}
}

// enqueue queues a stored job and starts queued jobs into free slots.
func (sc *scheduler) enqueue(name string) {
	sc.mu.Lock()
	sc.queue = append(sc.queue, name)
	sc.mu.Unlock()
	sc.fill()
}

// launch starts a job whose slot is reserved.
func (sc *scheduler) launch(name string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if _, ok := sc.running[name]; !ok || sc.stopping {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	sc.running[name] = cancel
	sc.wg.Add(1)
	go func() {
		defer sc.wg.Done()
		defer cancel()
		sc.s.runJob(ctx, name, sc.wasCanceled)
		sc.finished(name)
	}()
}

func (sc *scheduler) wasCanceled(name string) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.canceled[name]
}

// finished frees name's slot and starts queued jobs into free slots.
func (sc *scheduler) finished(name string) {
	sc.mu.Lock()
	delete(sc.running, name)
	delete(sc.canceled, name)
	sc.mu.Unlock()
	sc.fill()
}

// fill starts queued jobs, oldest first, while slots are free.
func (sc *scheduler) fill() {
	sc.mu.Lock()
	var start []string
	for !sc.stopping && len(sc.running) < sc.max && len(sc.queue) > 0 {
		next := sc.queue[0]
		sc.queue = sc.queue[1:]
		sc.running[next] = nil
		start = append(start, next)
	}
	sc.mu.Unlock()
	for _, n := range start {
		if _, err := sc.s.setJobStatus(context.Background(), n, statusPreparing, "a slot is free"); err != nil {
			sc.s.log.Warn("start queued job", "job", n, "err", err)
		}
		sc.launch(n)
	}
}

// cancel stops a queued or running job. It reports whether the job was
// queued (the caller marks it Canceled) or running (the runner's context is
// canceled and the job ends Canceled when the runner returns).
func (sc *scheduler) cancel(name string) (queued, running bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if i := slices.Index(sc.queue, name); i >= 0 {
		sc.queue = slices.Delete(sc.queue, i, i+1)
		return true, false
	}
	if stop, ok := sc.running[name]; ok {
		sc.canceled[name] = true
		if stop != nil {
			stop()
		}
		return false, true
	}
	return false, false
}

// recover resumes jobs a previous server left behind: queued ones queue
// again, oldest first; ones that were running are marked Failed.
func (sc *scheduler) recover(ctx context.Context) error {
	s := sc.s
	jobs, err := s.store.ListJobs(ctx, jobFilter{})
	if err != nil {
		return err
	}
	slices.Reverse(jobs) // oldest first
	var resume []string
	for _, j := range jobs {
		switch j.Status {
		case statusCompleted, statusFailed, statusCanceled:
		case statusQueued, statusNotStarted:
			resume = append(resume, j.Name)
		case statusCancelRequested:
			if _, err := s.finishJob(ctx, j.Name, statusCanceled, nil, &jobError{Code: "JobCanceled", Message: "the job was canceled while the local workspace was stopping"}); err != nil {
				return err
			}
		default:
			if _, err := s.finishJob(ctx, j.Name, statusFailed, nil, &jobError{Code: "ServiceStopped", Message: stopReason}); err != nil {
				return err
			}
		}
	}
	sc.mu.Lock()
	sc.queue = append(sc.queue, resume...)
	sc.mu.Unlock()
	sc.fill()
	return nil
}

// stop cancels every running job and waits for the runners to return
// (bounded by ctx). Queued jobs stay queued for the next start.
func (sc *scheduler) stop(ctx context.Context) {
	sc.mu.Lock()
	sc.stopping = true
	for _, cancel := range sc.running {
		if cancel != nil {
			cancel()
		}
	}
	sc.mu.Unlock()
	done := make(chan struct{})
	go func() {
		sc.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		sc.s.log.Warn("shutdown: job runners did not stop in time")
	}
}
