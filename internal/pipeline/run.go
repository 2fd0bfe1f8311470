package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/batchrun"
)

// Options tune Run and Validate. JobDir and OutputDir are required.
type Options struct {
	// StepJobName names the child job of the step at path in job; nil
	// means DefaultStepJobName.
	StepJobName func(job, path string) string
	// JobDir is the folder of a job (the job itself, or a step's child
	// job): its logs (user_logs/std_log.txt) and working folder go there.
	JobDir func(job string) string
	// OutputDir is the local folder of a job's output when nothing binds
	// it elsewhere: Azure's azureml/<job>/<output>/ on the default
	// datastore.
	OutputDir func(job, output string) (string, error)
	// MaxParallel bounds how many steps run at once; zero means
	// DefaultMaxParallel.
	MaxParallel int
	// Python is the interpreter put first on PATH (as python and python3)
	// and used by parallel steps; empty means $ML_LOCAL_PYTHON, else
	// python3 on PATH, as for batch deployments.
	Python string
	// OnStep, when set, is called with a step's state when it starts and
	// when it ends (also for steps that end Skipped without starting). Calls
	// come one at a time, from Run's goroutine, before the step's process
	// starts; they should return quickly.
	OnStep func(StepRun)
	// AfterStep, when set, is called once a step's process has ended
	// Completed or Failed, on the step's own goroutine (so the hooks of
	// steps that run at once run at once too, and never hold up the
	// scheduler), before the step is reported ended and before its
	// dependents start. step.Status is the step's status. An error fails
	// a Completed step with that message; a Failed step's message gets it
	// appended. The local workspace publishes a step's outputs here.
	AfterStep func(ctx context.Context, step StepRun) error
}

// DefaultMaxParallel is how many steps run at once by default: steps often
// wait on I/O, so at least 4 even on a small machine.
var DefaultMaxParallel = max(4, runtime.NumCPU())

// ExecutionLog is the pipeline job's own log (relative to its JobDir),
// named as on Azure: one line per step status change.
const ExecutionLog = "logs/azureml/executionlogs.txt"

// StdLog is a command step's log (relative to its JobDir): its stdout and
// stderr, as on Azure.
const StdLog = "user_logs/std_log.txt"

// Validate plans job without running anything: every binding, reference,
// default and command is checked, and the steps are returned as they would
// run. Errors are *clierr.UsageError naming the step, port and fix.
func Validate(job Job, opts Options) ([]StepRun, error) {
	p, err := newPlan(job, opts)
	if err != nil {
		return nil, err
	}
	out := make([]StepRun, len(p.nodes))
	for i, n := range p.nodes {
		out[i] = n.run
	}
	return out, nil
}

// Run runs job to its end and describes it. A pipeline's steps run as
// child jobs in the order their data dependencies allow, at most
// MaxParallel at once; a step that fails fails the job, cancels the steps
// still running and leaves the rest unrun, unless ContinueOnStepFailure,
// which lets the steps that do not depend on it go on. Canceling ctx
// kills every running step's process group; the job ends Canceled.
//
// The error is nil when the job Completed. A job that cannot be planned
// returns a *clierr.UsageError and runs nothing; a job that ran and did
// not complete returns a *JobError.
func Run(ctx context.Context, job Job, opts Options) (Result, error) {
	res := Result{StartedAt: time.Now()}
	p, err := newPlan(job, opts)
	if err != nil {
		res.Status, res.Error, res.EndedAt = StatusFailed, err.Error(), time.Now()
		return res, err
	}
	return p.execute(ctx, res)
}

// JobError is Run's error for a job that ended Failed or Canceled. For a
// canceled job it wraps the context's error.
type JobError struct {
	Status  Status
	Message string
	cause   error
}

func (e *JobError) Error() string { return "job " + string(e.Status) + ": " + e.Message }

// Unwrap returns the context error of a canceled job.
func (e *JobError) Unwrap() error { return e.cause }

// finished is a step's outcome, sent by its goroutine.
type finished struct {
	n        *node
	status   Status
	exitCode int
	err      string
}

func (p *plan) execute(ctx context.Context, res Result) (Result, error) {
	res.Outputs = p.outputs
	log := p.openExecutionLog()
	defer log.close()
	env, err := p.prepareEnv()
	if err != nil {
		log.printf("job %s failed: %v", p.job.Name, err)
		return p.end(res, StatusFailed, err.Error(), nil)
	}
	if !p.single {
		log.printf("running pipeline %s: %d steps, up to %d at once", nameOf(p.job.Component), len(p.nodes), p.maxParallel())
	}

	waiting := map[*node]int{}
	var ready []*node
	for _, n := range p.nodes {
		waiting[n] = len(n.deps)
		if len(n.deps) == 0 {
			ready = append(ready, n)
		}
	}
	results := make(chan finished, len(p.nodes))
	cancels := map[*node]context.CancelCauseFunc{}
	stopReason := "" // why no more steps start
	var failedSteps []*node

	for {
		for stopReason == "" && ctx.Err() == nil && len(cancels) < p.maxParallel() && len(ready) > 0 {
			n := ready[0]
			ready = ready[1:]
			if n.run.Status != StatusNotStarted {
				continue // skipped meanwhile
			}
			stepCtx, cancel := context.WithCancelCause(ctx)
			cancels[n] = cancel
			n.run.Status, n.run.StartedAt = StatusRunning, time.Now()
			log.printf("step %s (job %s): Running", displayPath(n.run.Path), n.run.Job)
			p.report(n)
			go func() { results <- p.runNode(stepCtx, n, env) }()
		}
		if len(cancels) == 0 {
			break
		}
		var f finished
		select {
		case f = <-results:
		case <-ctx.Done():
			if stopReason == "" {
				stopReason = "the job was canceled"
			}
			f = <-results
		}
		cancels[f.n](nil)
		delete(cancels, f.n)
		n := f.n
		n.run.Status, n.run.ExitCode, n.run.Error, n.run.EndedAt = f.status, f.exitCode, f.err, time.Now()
		if f.status == StatusCanceled && n.run.Error == "" {
			n.run.Error = "canceled: " + firstNonEmpty(stopReason, "the job was canceled")
		}
		log.printf("step %s (job %s): %s%s", displayPath(n.run.Path), n.run.Job, f.status, errSuffix(summary(n.run)))
		p.report(n)
		switch f.status {
		case StatusCompleted:
			for _, d := range n.dependents {
				if waiting[d]--; waiting[d] == 0 {
					ready = append(ready, d)
				}
			}
		case StatusFailed:
			failedSteps = append(failedSteps, n)
			if p.job.ContinueOnStepFailure {
				p.skipDependents(n, log)
				continue
			}
			if stopReason == "" {
				stopReason = "step " + n.run.Path + " failed"
				for _, cancel := range cancels {
					cancel(errors.New(stopReason))
				}
			}
		}
	}
	for _, n := range p.nodes {
		if n.run.Status == StatusNotStarted {
			reason := "not run: " + firstNonEmpty(stopReason, "the job was canceled")
			p.skip(n, reason, log)
		}
	}
	switch {
	case ctx.Err() != nil && !p.allCompleted():
		msg := "the job was canceled"
		log.printf("job %s: Canceled", p.job.Name)
		return p.end(res, StatusCanceled, msg, context.Cause(ctx))
	case len(failedSteps) > 0:
		msg := p.failureMessage(failedSteps)
		log.printf("job %s: Failed: %s", p.job.Name, firstLine(msg))
		return p.end(res, StatusFailed, msg, nil)
	}
	log.printf("job %s: Completed", p.job.Name)
	return p.end(res, StatusCompleted, "", nil)
}

// skipDependents marks every step that reads from n, directly or not, as
// Skipped.
func (p *plan) skipDependents(n *node, log *lineLog) {
	for _, d := range n.dependents {
		if d.run.Status == StatusNotStarted {
			p.skip(d, "not run: it depends on failed step "+n.run.Path, log)
			p.skipDependents(d, log)
		}
	}
}

func (p *plan) skip(n *node, reason string, log *lineLog) {
	n.run.Status, n.run.Error = StatusSkipped, reason
	log.printf("step %s: Skipped (%s)", displayPath(n.run.Path), reason)
	p.report(n)
}

func (p *plan) allCompleted() bool {
	for _, n := range p.nodes {
		if n.run.Status != StatusCompleted {
			return false
		}
	}
	return true
}

// failureMessage names the failed steps and the first one's error. A
// single command job's message is its step's error.
func (p *plan) failureMessage(failed []*node) string {
	if p.single {
		return failed[0].run.Error
	}
	paths := make([]string, len(failed))
	for i, n := range failed {
		paths[i] = "/" + n.run.Path
	}
	first := failed[0]
	return fmt.Sprintf("Pipeline has failed child jobs. Failed nodes: %s. Step %s (job %s) failed%s",
		strings.Join(paths, ", "), first.run.Path, first.run.Job, errSuffix(summary(first.run)))
}

// summary is a failed step's error in one line: a command's exit code and
// the last line it wrote (a Python exception, typically); the step's own
// error keeps the whole tail.
func summary(s StepRun) string {
	if s.Status != StatusFailed || s.Type != TypeCommand || s.ExitCode <= 0 {
		return firstLine(s.Error)
	}
	last := s.Error[strings.LastIndexByte(s.Error, '\n')+1:]
	if _, tail, ok := strings.Cut(last, " Error: "); ok && !strings.Contains(s.Error, "\n") {
		last = tail
	}
	return fmt.Sprintf("user process '%s' exited with status code %d: %s (see %s of job %s)", program(s.Command), s.ExitCode, last, StdLog, s.Job)
}

func (p *plan) end(res Result, status Status, msg string, cause error) (Result, error) {
	res.Status, res.Error, res.EndedAt = status, msg, time.Now()
	for _, n := range p.nodes {
		res.Steps = append(res.Steps, n.run)
	}
	if status == StatusCompleted {
		return res, nil
	}
	return res, &JobError{Status: status, Message: msg, cause: cause}
}

func (p *plan) report(n *node) {
	if p.opts.OnStep != nil {
		p.opts.OnStep(n.run)
	}
}

func (p *plan) maxParallel() int {
	if p.opts.MaxParallel > 0 {
		return p.opts.MaxParallel
	}
	return DefaultMaxParallel
}

// openExecutionLog opens a pipeline's execution log; a single command job
// has none (its std_log is the log).
func (p *plan) openExecutionLog() *lineLog {
	if p.single {
		return &lineLog{}
	}
	return openLineLog(filepath.Join(p.opts.JobDir(p.job.Name), filepath.FromSlash(ExecutionLog)))
}

// stepEnv is what every step's process shares: the interpreter and the
// PATH that puts it first.
type stepEnv struct {
	python string
	path   string // PATH value
}

// prepareEnv finds the interpreter and writes the python/python3 shims
// into the job's folder.
func (p *plan) prepareEnv() (stepEnv, error) {
	python, err := batchrun.ResolvePython(p.opts.Python)
	if err != nil {
		return stepEnv{}, err
	}
	bin := filepath.Join(p.opts.JobDir(p.job.Name), "bin")
	if err := writePythonShims(bin, python); err != nil {
		return stepEnv{}, fmt.Errorf("prepare the local Python: %w", err)
	}
	return stepEnv{python: python, path: bin + string(os.PathListSeparator) + os.Getenv("PATH")}, nil
}

func errSuffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
