package batchrun

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mlbatch/ml/internal/clierr"

	"github.com/mlbatch/ml/internal/rotree"
)

// overviewInterval throttles rewrites of job_progress_overview.txt while
// mini-batches stream in; status changes are always written at once.
const overviewInterval = 250 * time.Millisecond

// noSucceededItems is Azure's message for a job in which every item failed.
const noSucceededItems = "No succeeded mini batch item returned from run(). Please check 'response: run()' in https://aka.ms/batch-inference-documentation"

// Run runs job j on deployment d and returns when the job has ended.
//
// report, when not nil, receives a Progress snapshot at every status change
// and after every mini-batch; it is called from the goroutine that called
// Run, one call at a time, and should return quickly. Canceling ctx cancels
// the job: every worker's process group is killed, output already written is
// kept, and the job ends Canceled.
//
// The returned Result always describes the job. The error is nil when the job
// Completed. Otherwise it is a *clierr.UsageError when d or j is invalid
// (nothing ran; the message names the setting to fix), or a *JobError when
// the job ended Failed or Canceled.
func Run(ctx context.Context, d Deployment, j Job, report func(Progress)) (Result, error) {
	r := &runner{report: report, master: &lineLog{}, linker: rotree.New()}
	// A closure: run replaces r.master once the logs folder exists.
	defer func() { r.master.close() }()
	return r.run(ctx, d, j)
}

// runner is the state of one Run call. Only Run's goroutine touches it;
// slots talk to it through channels.
type runner struct {
	s          settings
	l          layout
	report     func(Progress)
	prog       Progress
	result     Result
	master     *lineLog
	errs       *errorLog
	overviewAt time.Time
	haveLayout bool
	batchSizes []int
	linker     rotree.Builder
}

func (r *runner) run(ctx context.Context, d Deployment, j Job) (Result, error) {
	r.result.StartedAt = time.Now()
	r.setStatus(StatusNotStarted, "job accepted")
	r.setStatus(StatusPreparing, "preparing the job")

	s, err := resolveSettings(d, j)
	if err != nil {
		return r.failWith(err)
	}
	r.s, r.l = s, layout{jobDir: s.jobDir}
	r.errs = &errorLog{l: r.l}
	// Listed before the job folder exists, so a missing input changes nothing.
	if _, err := listInputFiles(s.inputs); err != nil {
		return r.failWith(err)
	}
	if err := r.l.prepare(s); err != nil {
		return r.failWith(err)
	}
	r.haveLayout = true
	r.result.LogsDir = r.l.logsDir()
	r.master = openLineLog(r.l.masterRoleFile())
	views, err := r.l.prepareInputs(s.inputs, r.linker, r.master)
	defer func() {
		if err := r.l.removeInputs(); err != nil {
			r.master.printf("could not remove the job's inputs folder: %v", err)
		}
	}()
	if err != nil {
		return r.failWith(err)
	}
	files, err := listInputFiles(views)
	if err != nil {
		return r.failWith(err)
	}
	r.master.printf("job %s preparing: %d input files", s.jobName, len(files))
	modelDir, err := r.l.prepareModel(s, r.linker, r.master)
	if err != nil {
		return r.failWith(err)
	}
	defer func() {
		if err := r.l.removeModelDir(s); err != nil {
			r.master.printf("could not remove AZUREML_MODEL_DIR: %v", err)
		}
	}()
	if s.builtinMLflow {
		if s.codeDir, s.scoringScript, err = r.l.setUpMLflowScoring(s, modelDir); err != nil {
			return r.failWith(err)
		}
		r.master.printf("no scoring script: %s scores MLflow model %s:%s", s.script, s.modelName, s.modelVersion)
		r.s = s
	} else {
		registered := s.codeDir
		if s.codeDir, err = r.l.copyCode(registered); err != nil {
			return r.failWith(err)
		}
		r.master.printf("code %s copied to %s, the scoring script's working directory", registered, s.codeDir)
		r.s = s
	}
	if len(files) == 0 {
		return r.failWith(fmt.Errorf("the job's input %v contains no files; give a folder with at least one file", s.inputs))
	}
	python, err := resolvePython(s.python)
	if err != nil {
		return r.failWith(err)
	}
	out, err := openOutput(s)
	if err != nil {
		return r.failWith(err)
	}
	defer out.close()
	r.result.OutputFile = out.path

	batches := partition(files, s.miniBatchSize)
	for _, b := range batches {
		r.batchSizes = append(r.batchSizes, len(b))
	}
	workers := s.workers(len(batches))
	r.prog.MiniBatchesTotal, r.prog.ItemsTotal, r.prog.Workers = len(batches), len(files), workers
	r.master.printf("created %d mini-batches of up to %d files; starting %d workers with %s", len(batches), s.miniBatchSize, workers, python)
	r.setStatus(StatusRunning, fmt.Sprintf("running %d mini-batches on %d workers", len(batches), workers))

	spec := workerSpec{
		python:         python,
		args:           driverArgs(s, r.l.driverFile()),
		env:            workerEnv(s, modelDir),
		dir:            s.codeDir,
		script:         s.script,
		startupTimeout: s.startupTimeout,
	}
	failMsg := r.schedule(ctx, batches, workers, spec, out)

	if err := out.flushAll(); err != nil && failMsg == "" {
		failMsg = err.Error()
	}
	r.prog.RowsWritten = out.rows
	if err := out.close(); err != nil && failMsg == "" {
		failMsg = err.Error()
	}
	return r.finish(ctx, failMsg)
}

// schedule runs every mini-batch on the workers and records the outcomes.
// It returns why the job must fail, or "". When ctx is canceled it returns
// "" early; finish tells cancellation apart.
func (r *runner) schedule(ctx context.Context, batches [][]string, workers int, spec workerSpec, out *orderedOutput) string {
	runCtx, abort := context.WithCancel(ctx)
	defer abort()
	queue := make(chan int, len(batches))
	for i := range batches {
		queue <- i
	}
	close(queue)
	results := make(chan outcome, len(batches)+workers)

	var wg sync.WaitGroup
	for w := range workers {
		id := newWorkerID(w, r.s.concurrency)
		sl := &slot{
			id:       id,
			spec:     spec,
			attempts: r.s.attempts,
			timeout:  r.s.timeout,
			batches:  batches,
			errs:     r.errs,
			node:     openLineLog(r.l.nodeFile(id)),
		}
		sl.spec.stdoutPath, sl.spec.stderrPath = r.l.stdoutFile(id), r.l.stderrFile(id)
		wg.Go(func() { sl.serve(runCtx, queue, results) })
	}

	failMsg := r.collect(ctx, results, len(batches), out)
	if failMsg != "" || ctx.Err() != nil {
		abort()
	}
	r.setStatus(StatusFinalizing, "stopping workers and closing the output")
	wg.Wait()
	close(results)
	// Mini-batches that finished while the job was being stopped still count.
	for o := range results {
		if o.fatal == "" {
			if msg := r.record(o, out); msg != "" && failMsg == "" {
				failMsg = msg
			}
		}
	}
	return failMsg
}

// collect records outcomes until every mini-batch has one, the job must fail,
// or ctx is canceled.
func (r *runner) collect(ctx context.Context, results <-chan outcome, total int, out *orderedOutput) string {
	for done := 0; done < total; done++ {
		select {
		case o := <-results:
			if o.fatal != "" {
				r.master.printf("worker could not start: %s", firstLine(o.fatal))
				return o.fatal
			}
			if msg := r.record(o, out); msg != "" {
				return msg
			}
		case <-ctx.Done():
			r.master.printf("job canceled")
			return ""
		}
	}
	return ""
}

// record counts one mini-batch outcome, appends its rows and reports. It
// returns a failure message when the job must stop.
func (r *runner) record(o outcome, out *orderedOutput) string {
	items := r.batchSizes[o.batch]
	if o.err == nil {
		r.prog.MiniBatchesSucceeded++
		// Each returned element stands for one processed input.
		r.prog.ItemsFailed += max(0, items-o.count)
	} else {
		r.prog.MiniBatchesFailed++
		r.prog.ItemsFailed += items
		r.master.printf("mini-batch %d failed: %s", o.batch, firstLine(o.err.message))
	}
	err := out.add(o.batch, o.rows)
	r.prog.RowsWritten = out.rows
	r.prog.Message = fmt.Sprintf("%d of %d mini-batches processed", r.prog.MiniBatchesSucceeded+r.prog.MiniBatchesFailed, r.prog.MiniBatchesTotal)
	r.publish(false)
	if err != nil {
		return err.Error()
	}
	if t := r.s.errorThreshold; t >= 0 && r.prog.ItemsFailed > t {
		return fmt.Sprintf("%d items failed, more than settings.error_threshold %d; first error: %s",
			r.prog.ItemsFailed, t, firstLine(r.errs.first()))
	}
	return ""
}

// finish decides the final status, writes the last overview and reports it.
func (r *runner) finish(ctx context.Context, failMsg string) (Result, error) {
	processed := r.prog.MiniBatchesSucceeded + r.prog.MiniBatchesFailed
	switch {
	case ctx.Err() != nil && failMsg == "" && !r.allProcessed():
		msg := fmt.Sprintf("job canceled after %d of %d mini-batches; output written so far is kept", processed, r.prog.MiniBatchesTotal)
		r.master.printf("%s", msg)
		r.end(StatusCanceled, msg)
		return r.result, canceledError(ctx, msg)
	case failMsg == "" && r.prog.ItemsFailed >= r.prog.ItemsTotal:
		failMsg = noSucceededItems
		if first := r.errs.first(); first != "" {
			failMsg += "; first error: " + firstLine(first)
		}
	}
	if failMsg != "" {
		return r.failWith(fmt.Errorf("%s", failMsg))
	}
	msg := fmt.Sprintf("%d mini-batches: %d succeeded, %d failed; %d of %d items failed",
		r.prog.MiniBatchesTotal, r.prog.MiniBatchesSucceeded, r.prog.MiniBatchesFailed, r.prog.ItemsFailed, r.prog.ItemsTotal)
	r.master.printf("job completed: %s", msg)
	r.end(StatusCompleted, msg)
	return r.result, nil
}

// failWith ends the job Failed. Usage errors are returned as they are, so
// callers can map them to exit code 2; anything else becomes a *JobError.
func (r *runner) failWith(err error) (Result, error) {
	msg := err.Error()
	r.master.printf("job failed: %s", firstLine(msg))
	r.end(StatusFailed, msg)
	if clierr.IsUsage(err) {
		return r.result, err
	}
	return r.result, &JobError{Status: StatusFailed, Message: msg}
}

func (r *runner) end(status Status, msg string) {
	if status != StatusCompleted && r.result.OutputFile != "" && r.prog.RowsWritten == 0 {
		// A job that ended without a single row leaves no output file, as on
		// Azure; an empty one would read as a job that predicted nothing.
		if err := os.Remove(r.result.OutputFile); err == nil {
			r.result.OutputFile = ""
		}
	}
	r.result.EndedAt = time.Now()
	r.setStatus(status, msg)
	r.result.Progress = r.prog
}

func (r *runner) setStatus(status Status, msg string) {
	r.prog.Status, r.prog.Message = status, msg
	r.publish(true)
}

// publish reports the current progress and refreshes the overview file.
func (r *runner) publish(statusChanged bool) {
	r.result.Progress = r.prog
	if r.haveLayout && (statusChanged || time.Since(r.overviewAt) >= overviewInterval || r.allProcessed()) {
		r.overviewAt = time.Now()
		_ = writeFileAtomic(r.l.overviewFile(), overviewText(r.s.jobName, r.s, r.prog, r.result.OutputFile, r.overviewAt))
	}
	if r.report != nil {
		r.report(r.prog)
	}
}

func (r *runner) allProcessed() bool {
	return r.prog.MiniBatchesSucceeded+r.prog.MiniBatchesFailed == r.prog.MiniBatchesTotal
}
