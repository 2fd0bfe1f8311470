package batchrun

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"
)

// stopGrace bounds how long a worker may take to exit after being asked to,
// or after SIGKILL, before the runtime stops waiting for it.
const stopGrace = 5 * time.Second

// command is a protocol line from the Go side to a driver.
type command struct {
	Op    string   `json:"op"`
	ID    int      `json:"id"`
	Files []string `json:"files,omitempty"`
}

// event is a protocol line from a driver to the Go side.
type event struct {
	Ev        string   `json:"ev"` // ready, init_error, result, run_error
	ID        int      `json:"id"`
	PID       int      `json:"pid"`
	Count     int      `json:"count"`
	Rows      []string `json:"rows"`
	Phase     string   `json:"phase"` // import or init, for init_error
	Error     string   `json:"error"`
	Traceback string   `json:"traceback"`
}

// workerSpec is everything needed to start one worker process.
type workerSpec struct {
	python         string // resolved interpreter path
	args           []string
	env            []string
	dir            string
	stdoutPath     string
	stderrPath     string
	script         string // "scoring script score.py", for messages
	startupTimeout time.Duration
}

// worker is one running driver process.
type worker struct {
	cmd        *exec.Cmd
	pid        int
	toDriver   *os.File
	fromDriver *os.File
	events     chan event
	exited     chan struct{} // closed once Wait has returned
	waitErr    error         // valid after exited is closed
	stopped    chan struct{} // closed when the worker is being torn down
	stopOnce   sync.Once
	stderrPath string
}

// startError says why a worker could not get ready. It fails the job.
type startError struct {
	summary   string
	traceback string
}

func (e *startError) Error() string { return e.summary }

// attemptError says why one try of a mini-batch failed.
type attemptError struct {
	kind      attemptKind
	message   string
	traceback string
}

type attemptKind int

const (
	attemptRaised   attemptKind = iota // run() raised; the worker lives on
	attemptTimedOut                    // run() outlived the timeout; worker killed
	attemptCrashed                     // the worker died; it is replaced
)

func (e *attemptError) Error() string { return e.message }

// startWorker starts a driver and waits until its init() has returned.
func startWorker(ctx context.Context, spec workerSpec) (*worker, error) {
	stdout, err := openAppend(spec.stdoutPath)
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	stderr, err := openAppend(spec.stderrPath)
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}

	cmd := exec.Command(spec.python, spec.args...)
	cmd.ExtraFiles = []*os.File{cmdR, evW} // fds 3 and 4 in the driver
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Dir, cmd.Env = spec.dir, spec.env
	setProcessGroup(cmd)
	err = cmd.Start()
	// The child holds its own copies; the parent keeps only its ends.
	cmdR.Close()
	evW.Close()
	if err != nil {
		cmdW.Close()
		evR.Close()
		return nil, &startError{summary: fmt.Sprintf("cannot start Python worker %s: %v", spec.python, err)}
	}

	w := &worker{
		cmd:        cmd,
		toDriver:   cmdW,
		fromDriver: evR,
		events:     make(chan event, 1),
		exited:     make(chan struct{}),
		stopped:    make(chan struct{}),
		stderrPath: spec.stderrPath,
	}
	go w.readEvents()
	go func() {
		w.waitErr = cmd.Wait()
		close(w.exited)
	}()
	if err := w.awaitReady(ctx, spec); err != nil {
		w.kill()
		return nil, err
	}
	return w, nil
}

func (w *worker) awaitReady(ctx context.Context, spec workerSpec) error {
	timer := time.NewTimer(spec.startupTimeout)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-w.events:
			if !ok {
				return &startError{summary: w.exitDescription("before init() finished")}
			}
			switch ev.Ev {
			case "ready":
				w.pid = ev.PID
				return nil
			case "init_error":
				what := fmt.Sprintf("init() in %s failed", spec.script)
				if ev.Phase == "import" {
					what = fmt.Sprintf("%s failed to import", spec.script)
				}
				return &startError{summary: what + ": " + ev.Error, traceback: ev.Traceback}
			}
		case <-timer.C:
			return &startError{summary: fmt.Sprintf(
				"%s did not finish importing and init() within %s; the worker was killed",
				spec.script, spec.startupTimeout)}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run sends one mini-batch and waits for its result. The returned event is a
// result; any failure is an *attemptError or the context's error.
func (w *worker) run(ctx context.Context, id int, files []string, timeout time.Duration) (event, error) {
	line, err := json.Marshal(command{Op: "run", ID: id, Files: files})
	if err != nil {
		return event{}, err
	}
	// A deadline keeps a wedged worker from blocking the write forever.
	_ = w.toDriver.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := w.toDriver.Write(append(line, '\n')); err != nil {
		return event{}, &attemptError{kind: attemptCrashed, message: w.exitDescription("before taking mini-batch " + fmt.Sprint(id))}
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-w.events:
			if !ok {
				return event{}, &attemptError{kind: attemptCrashed, message: w.exitDescription("during run()")}
			}
			if ev.ID != id {
				continue // a late answer to an earlier command
			}
			switch ev.Ev {
			case "result":
				return ev, nil
			case "run_error":
				return event{}, &attemptError{kind: attemptRaised, message: "run() raised " + ev.Error, traceback: ev.Traceback}
			}
		case <-timer.C:
			return event{}, &attemptError{kind: attemptTimedOut, message: fmt.Sprintf(
				"run() did not return within the timeout of %s (settings.retry_settings.timeout); the worker was killed", timeout)}
		case <-ctx.Done():
			return event{}, ctx.Err()
		}
	}
}

// readEvents decodes the driver's event lines until the pipe closes.
func (w *worker) readEvents() {
	defer close(w.events)
	r := bufio.NewReaderSize(w.fromDriver, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var ev event
			if json.Unmarshal(line, &ev) == nil {
				select {
				case w.events <- ev:
				case <-w.stopped:
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// stop asks the driver to exit (it calls the script's optional shutdown()),
// then makes sure the whole process group is gone.
func (w *worker) stop() {
	line, _ := json.Marshal(command{Op: "exit"})
	_ = w.toDriver.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = w.toDriver.Write(append(line, '\n'))
	_ = w.toDriver.Close()
	select {
	case <-w.exited:
	case <-time.After(stopGrace):
	}
	w.kill()
}

// kill ends the worker's process group at once and releases its pipes.
func (w *worker) kill() {
	w.stopOnce.Do(func() {
		close(w.stopped)
		killProcessGroup(w.cmd)
		select {
		case <-w.exited:
		case <-time.After(stopGrace):
		}
		_ = w.toDriver.Close()
		_ = w.fromDriver.Close()
	})
}

// exitDescription explains a worker that went away, with its stderr tail.
func (w *worker) exitDescription(when string) string {
	msg := "the Python worker closed its protocol pipe " + when
	select {
	case <-w.exited:
		var exitErr *exec.ExitError
		switch {
		case w.waitErr == nil:
			msg = "the Python worker exited with exit status 0 " + when
		case errors.As(w.waitErr, &exitErr):
			msg = "the Python worker exited with " + exitErr.ProcessState.String() + " " + when
		default:
			msg = fmt.Sprintf("the Python worker failed %s: %v", when, w.waitErr)
		}
	case <-time.After(stopGrace):
	}
	if tail := fileTail(w.stderrPath, 15); tail != "" {
		msg += "; its stderr ends with:\n" + tail
	}
	return msg
}
