package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mlbatch/ml/internal/batchrun"
	"github.com/mlbatch/ml/internal/rotree"
)

// How a command step runs, as on Azure ML: the command line goes to bash
// (sh where there is no bash) in a fresh copy of the component's code,
// with stdout and stderr in user_logs/std_log.txt of the step's job folder
// and the local Python first on PATH as python and python3.

// killGrace is how long a canceled step's pipes may stay open after its
// process group was killed.
const killGrace = 5 * time.Second

// errorTailLines bounds how much of std_log.txt a failed step's error quotes.
const errorTailLines = 20

func (p *plan) runNode(ctx context.Context, n *node, env stepEnv) finished {
	var f finished
	switch n.comp.Type {
	case TypeParallel:
		f = p.runParallel(ctx, n, env)
	default:
		f = p.runCommand(ctx, n, env)
	}
	f.n = n
	if hook := p.opts.AfterStep; hook != nil && ctx.Err() == nil && (f.status == StatusCompleted || f.status == StatusFailed) {
		step := n.run
		step.Status, step.ExitCode, step.Error = f.status, f.exitCode, f.err
		if err := hook(ctx, step); err != nil {
			if f.status == StatusCompleted {
				f.status, f.err = StatusFailed, err.Error()
			} else {
				f.err += "; " + err.Error()
			}
		}
	}
	if ctx.Err() != nil && f.status != StatusCompleted {
		f.status = StatusCanceled
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			f.err = "canceled: " + cause.Error()
		} else {
			f.err = ""
		}
	}
	return f
}

func (p *plan) runCommand(ctx context.Context, n *node, env stepEnv) finished {
	fail := func(err error) finished { return finished{status: StatusFailed, exitCode: -1, err: err.Error()} }
	wd, err := prepareStepDirs(n)
	if err != nil {
		return fail(err)
	}
	logPath := filepath.Join(n.run.Dir, filepath.FromSlash(StdLog))
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fail(fmt.Errorf("create %s: %w", StdLog, err))
	}
	defer logFile.Close()

	shell, flag := commandShell()
	cmd := exec.CommandContext(ctx, shell, flag, n.run.Command)
	cmd.Dir = wd
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = p.stepEnviron(n, env)
	setProcessGroup(cmd)
	cmd.Cancel = func() error { killProcessGroup(cmd); return nil }
	cmd.WaitDelay = killGrace
	err = cmd.Run()
	// The read-only inputs go with the step, as Azure unmounts them: the
	// job folder pins no copies.
	if rerr := rotree.Remove(filepath.Join(n.run.Dir, inputsFolder)); rerr != nil && err == nil {
		return fail(fmt.Errorf("remove the step's inputs folder: %w", rerr))
	}
	if err == nil {
		return finished{status: StatusCompleted}
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return fail(fmt.Errorf("start the command with %s: %w", shell, err))
	}
	code := exit.ExitCode()
	_ = logFile.Sync()
	return finished{status: StatusFailed, exitCode: code, err: executionFailed(program(n.run.Command), code, batchrun.FileTail(logPath, errorTailLines))}
}

// executionFailed is Azure ML's message for a user process that exited
// non-zero, with the end of std_log.txt.
func executionFailed(program string, code int, tail string) string {
	msg := fmt.Sprintf("Execution failed. User process '%s' exited with status code %d. Please check log file '%s' for error details.", program, code, StdLog)
	if code < 0 {
		msg = fmt.Sprintf("Execution failed. User process '%s' was killed. Please check log file '%s' for error details.", program, StdLog)
	}
	if tail != "" {
		msg += " Error: " + tail
	}
	return msg
}

// prepareStepDirs creates the step's job folder, its working folder (a
// copy of the component's code, so nothing a step writes reaches the
// registered code) and its output folders. It returns the working folder.
func prepareStepDirs(n *node) (string, error) {
	if err := os.MkdirAll(filepath.Join(n.run.Dir, "user_logs"), 0o700); err != nil {
		return "", fmt.Errorf("create the step's job folder: %w", err)
	}
	wd := filepath.Join(n.run.Dir, "wd")
	if err := os.RemoveAll(wd); err != nil {
		return "", fmt.Errorf("clear the step's working folder: %w", err)
	}
	if code := n.comp.CodeDir; code != "" {
		if err := os.CopyFS(wd, os.DirFS(code)); err != nil {
			return "", fmt.Errorf("copy code %s into the step's working folder: %w", code, err)
		}
	} else if err := os.MkdirAll(wd, 0o700); err != nil {
		return "", fmt.Errorf("create the step's working folder: %w", err)
	}
	for _, name := range sortedKeys(n.run.Outputs) {
		if err := os.MkdirAll(n.run.Outputs[name], 0o700); err != nil {
			return "", fmt.Errorf("create the folder of output %s: %w", name, err)
		}
	}
	if err := buildInputViews(n); err != nil {
		return "", err
	}
	return wd, nil
}

// buildInputViews makes each read-only input of the step (node.views) a
// read-only tree of its source: hard links where that keeps the source
// safe, copies elsewhere (package rotree). An earlier run's trees go
// first.
func buildInputViews(n *node) error {
	root := filepath.Join(n.run.Dir, inputsFolder)
	if err := rotree.Remove(root); err != nil {
		return fmt.Errorf("clear the step's inputs folder: %w", err)
	}
	b := rotree.New()
	for _, name := range sortedKeys(n.views) {
		view := n.views[name]
		if err := os.MkdirAll(filepath.Dir(view), 0o700); err != nil {
			return fmt.Errorf("create the folder of input %s: %w", name, err)
		}
		if _, err := b.Build(n.run.Inputs[name].Path, view); err != nil {
			return fmt.Errorf("input %s: %w", name, err)
		}
	}
	return nil
}

// stepEnviron is the step's environment: the caller's, PATH with the local
// Python first, Azure's run and port variables, then the component's and
// the node's environment_variables (which win).
func (p *plan) stepEnviron(n *node, env stepEnv) []string {
	out := append(os.Environ(),
		"PATH="+env.path,
		"PYTHONUNBUFFERED=1",
		"AZUREML_RUN_ID="+n.run.Job,
		"AZUREML_ROOT_RUN_ID="+p.job.Name,
	)
	for _, name := range sortedKeys(n.run.Inputs) {
		v := n.run.Inputs[name]
		path := v.Path
		if view, ok := n.views[name]; ok {
			path = view
		}
		out = append(out, "AZURE_ML_INPUT_"+name+"="+firstNonEmpty(path, v.Literal))
	}
	for _, name := range sortedKeys(n.run.Outputs) {
		out = append(out, "AZURE_ML_OUTPUT_"+name+"="+n.run.Outputs[name])
	}
	for _, k := range sortedKeys(n.env) {
		out = append(out, k+"="+n.env[k])
	}
	return out
}

// commandShell is the shell that runs command lines: bash as on Azure,
// else sh.
func commandShell() (string, string) {
	if path, err := exec.LookPath("bash"); err == nil {
		return path, "-c"
	}
	if path, err := exec.LookPath("sh"); err == nil {
		return path, "-c"
	}
	return "cmd", "/C"
}

// program is the first word of a command line, for messages.
func program(command string) string {
	if f := strings.Fields(command); len(f) > 0 {
		return f[0]
	}
	return command
}

// writePythonShims writes python and python3 into dir as scripts that exec
// the chosen interpreter. Scripts rather than symlinks keep a virtual
// environment's interpreter working (it finds its pyvenv.cfg from its own
// path).
func writePythonShims(dir, python string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	script := "#!/bin/sh\nexec '" + strings.ReplaceAll(python, "'", `'\''`) + "' \"$@\"\n"
	for _, name := range []string{"python", "python3"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// lineLog appends timestamped lines to one file; a log that cannot be
// opened drops its lines (logs help but never fail a job).
type lineLog struct {
	mu sync.Mutex
	f  *os.File
}

func openLineLog(path string) *lineLog {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &lineLog{}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return &lineLog{}
	}
	return &lineLog{f: f}
}

func (l *lineLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		fmt.Fprintf(l.f, "%s %s\n", time.Now().UTC().Format("2006-01-02 15:04:05.000Z"), fmt.Sprintf(format, args...))
	}
}

func (l *lineLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
