package batchrun

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/clierr"
)

// echoScript returns each input file's base name.
const echoScript = `
import os

def init():
    pass

def run(mini_batch):
    return [os.path.basename(p) for p in mini_batch]
`

// failOnBadScript raises on files named bad*, and returns fewer elements
// than files for files named short*.
const failOnBadScript = `
import os

def init():
    pass

def run(mini_batch):
    out = []
    for p in mini_batch:
        name = os.path.basename(p)
        if name.startswith("bad"):
            raise ValueError("cannot score " + name)
        if not name.startswith("short"):
            out.append(name)
    return out
`

func TestRunFailedItems(t *testing.T) {
	tests := []struct {
		name           string
		files          []string
		miniBatchSize  int
		errorThreshold *int
		wantStatus     Status
		wantFailed     int // mini-batches
		wantItems      int // failed items
		wantOutput     []string
		wantMessage    string
	}{
		{
			name:       "threshold -1 counts the failure and completes",
			files:      []string{"a", "b", "bad", "c"},
			wantStatus: StatusCompleted, wantFailed: 1, wantItems: 1,
			wantOutput: []string{"a", "b", "c"},
		},
		{
			name:           "threshold 0 fails the job on the first failed item",
			files:          []string{"a", "bad", "c"},
			errorThreshold: new(0),
			wantStatus:     StatusFailed, wantFailed: 1, wantItems: 1,
			wantMessage: "1 items failed, more than settings.error_threshold 0; first error: run() raised ValueError: cannot score bad",
		},
		{
			name:           "threshold 1 tolerates one failed item",
			files:          []string{"a", "bad", "c"},
			errorThreshold: new(1),
			wantStatus:     StatusCompleted, wantFailed: 1, wantItems: 1,
			wantOutput: []string{"a", "c"},
		},
		{
			name:          "a failed mini-batch fails all its files",
			files:         []string{"a", "bad", "c", "d"},
			miniBatchSize: 2,
			wantStatus:    StatusCompleted, wantFailed: 1, wantItems: 2,
			wantOutput: []string{"c", "d"},
		},
		{
			name:          "fewer returned elements than files count as failed items",
			files:         []string{"a", "short1", "short2", "z"},
			miniBatchSize: 3,
			wantStatus:    StatusCompleted, wantFailed: 0, wantItems: 2,
			wantOutput: []string{"a", "z"},
		},
		{
			name:       "no succeeded item fails the job",
			files:      []string{"bad1", "bad2"},
			wantStatus: StatusFailed, wantFailed: 2, wantItems: 2,
			wantMessage: "No succeeded mini batch item returned from run()",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment(t, failOnBadScript)
			d.MiniBatchSize = max(tt.miniBatchSize, 1)
			d.MaxRetries = new(1)
			d.ErrorThreshold = tt.errorThreshold
			res, err, _ := runJob(t, d, newJob(t, inputDir(t, tt.files...)))

			if res.Status != tt.wantStatus || res.MiniBatchesFailed != tt.wantFailed || res.ItemsFailed != tt.wantItems {
				t.Fatalf("status %s, %d failed mini-batches, %d failed items; want %s, %d, %d (%s)",
					res.Status, res.MiniBatchesFailed, res.ItemsFailed, tt.wantStatus, tt.wantFailed, tt.wantItems, res.Message)
			}
			var jobErr *JobError
			if tt.wantStatus == StatusCompleted && err != nil {
				t.Fatalf("Run returned %v for a completed job", err)
			}
			if tt.wantStatus == StatusFailed && (!errors.As(err, &jobErr) || jobErr.Status != StatusFailed) {
				t.Fatalf("Run returned %v, want a *JobError with status Failed", err)
			}
			if !strings.Contains(res.Message, tt.wantMessage) {
				t.Errorf("message %q does not contain %q", res.Message, tt.wantMessage)
			}
			if tt.wantOutput != nil && !slices.Equal(readLines(t, res.OutputFile), tt.wantOutput) {
				t.Errorf("output = %q, want %q", readLines(t, res.OutputFile), tt.wantOutput)
			}
			if tt.wantFailed == 0 {
				return
			}
			// The first user error, with its traceback, as on Azure.
			errorTxt := readText(t, filepath.Join(res.LogsDir, "user", "error.txt"))
			for _, want := range []string{"ValueError: cannot score bad", "Traceback (most recent call last)", "attempt 1 of 2"} {
				if !strings.Contains(errorTxt, want) {
					t.Errorf("logs/user/error.txt lacks %q:\n%s", want, errorTxt)
				}
			}
			// Every try of the failed mini-batch is in the worker's error log.
			perWorker := readText(t, filepath.Join(res.LogsDir, "user", "error", "0", "process000.txt"))
			if !strings.Contains(perWorker, "attempt 2 of 2") {
				t.Errorf("logs/user/error/0/process000.txt lacks the retry:\n%s", perWorker)
			}
		})
	}
}

// hangScript records every init() and hangs, with a child process, on a
// file named hang.
const hangScript = `
import os, subprocess, sys, time

def record(name, pid):
    with open(os.path.join(os.environ["AZUREML_BI_OUTPUT_PATH"], name), "a") as f:
        f.write("%d\n" % pid)

def init():
    record("inits.txt", os.getpid())

def run(mini_batch):
    for p in mini_batch:
        if os.path.basename(p) == "hang":
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            record("children.txt", child.pid)
            time.sleep(120)
    return [os.path.basename(p) for p in mini_batch]
`

func TestRunTimeoutKillsRestartsAndRetries(t *testing.T) {
	d := deployment(t, hangScript)
	d.MiniBatchSize = 1
	// Generous enough that "a" never times out on a loaded machine, and that
	// the hanging run() always gets to record its child first.
	d.Timeout = time.Second
	d.MaxRetries = new(2)
	job := newJob(t, inputDir(t, "a", "hang"))
	res, err, _ := runJob(t, d, job)
	if err != nil {
		t.Fatalf("Run: %v (threshold -1 should complete)", err)
	}
	if res.MiniBatchesSucceeded != 1 || res.MiniBatchesFailed != 1 || res.ItemsFailed != 1 {
		t.Errorf("progress = %+v, want 1 succeeded and 1 failed mini-batch", res.Progress)
	}
	if got := readLines(t, res.OutputFile); !slices.Equal(got, []string{"a"}) {
		t.Errorf("output = %q, want [a]", got)
	}
	// One worker for "a" and the first try, then a fresh worker (init()
	// again) for each of the 2 retries.
	inits := readPIDs(t, filepath.Join(job.OutputDir, "inits.txt"))
	if len(inits) != 3 || len(slices.Compact(slices.Sorted(slices.Values(inits)))) != 3 {
		t.Errorf("init() ran in pids %v, want 3 distinct workers", inits)
	}
	children := readPIDs(t, filepath.Join(job.OutputDir, "children.txt"))
	if len(children) != 3 {
		t.Errorf("the hanging run() started %d children, want one per try: 3", len(children))
	}
	assertAllGone(t, append(inits, children...))

	errs := readText(t, filepath.Join(res.LogsDir, "user", "error", "0", "process000.txt"))
	if n := strings.Count(errs, "did not return within the timeout of 1s"); n != 3 {
		t.Errorf("error log records %d timeouts, want 3:\n%s", n, errs)
	}
}

func TestRunWorkerStartFailures(t *testing.T) {
	tests := []struct {
		name           string
		script         string
		startupTimeout time.Duration
		want           []string // in the job's message
	}{
		{
			name:   "init raises",
			script: "def init():\n    raise RuntimeError('model file missing')\n\ndef run(mini_batch):\n    return mini_batch\n",
			want:   []string{"init() in scoring script score.py failed: RuntimeError: model file missing", "in init"},
		},
		{
			name:   "import error",
			script: "import not_a_real_module_xyz\n\ndef init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n",
			want:   []string{"scoring script score.py failed to import: ModuleNotFoundError: No module named 'not_a_real_module_xyz'"},
		},
		{
			name:   "syntax error",
			script: "def init(:\n    pass\n",
			want:   []string{"failed to import", "SyntaxError"},
		},
		{
			name:   "no run function",
			script: "def init():\n    pass\n",
			want:   []string{"scoring script score.py has no run() function"},
		},
		{
			name:   "init exits the process",
			script: "import os, sys\n\ndef init():\n    sys.stderr.write('giving up early\\n')\n    sys.stderr.flush()\n    os._exit(3)\n\ndef run(mini_batch):\n    return mini_batch\n",
			want:   []string{"exited with exit status 3 before init() finished", "giving up early"},
		},
		{
			name:           "init hangs",
			script:         "import time\n\ndef init():\n    time.sleep(120)\n\ndef run(mini_batch):\n    return mini_batch\n",
			startupTimeout: 300 * time.Millisecond,
			want:           []string{"did not finish importing and init() within 300ms"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment(t, tt.script)
			d.StartupTimeout = tt.startupTimeout
			d.MaxConcurrencyPerInstance = 2
			res, err, rec := runJob(t, d, newJob(t, inputDir(t, "a", "b")))
			var jobErr *JobError
			if !errors.As(err, &jobErr) || res.Status != StatusFailed {
				t.Fatalf("Run returned %v with status %s, want a Failed *JobError", err, res.Status)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.Message, want) {
					t.Errorf("message lacks %q:\n%s", want, res.Message)
				}
			}
			if res.MiniBatchesSucceeded != 0 || res.RowsWritten != 0 {
				t.Errorf("progress = %+v, want nothing processed", res.Progress)
			}
			assertStatuses(t, rec, StatusNotStarted, StatusPreparing, StatusRunning, StatusFinalizing, StatusFailed)
			errorTxt := readText(t, filepath.Join(res.LogsDir, "user", "error.txt"))
			if !strings.Contains(errorTxt, tt.want[0]) {
				t.Errorf("logs/user/error.txt lacks %q:\n%s", tt.want[0], errorTxt)
			}
			if overview := readText(t, filepath.Join(res.LogsDir, "job_progress_overview.txt")); !strings.Contains(overview, "Status: Failed") ||
				!strings.Contains(overview, "logs/user/error.txt") {
				t.Errorf("job_progress_overview.txt does not point at the error:\n%s", overview)
			}
		})
	}
}

// slowScript records its pid and blocks on files named slow*.
const slowScript = `
import os, time

def init():
    with open(os.path.join(os.environ["AZUREML_BI_OUTPUT_PATH"], "pids.txt"), "a") as f:
        f.write("%d\n" % os.getpid())

def run(mini_batch):
    for p in mini_batch:
        if os.path.basename(p).startswith("slow"):
            time.sleep(120)
    return [os.path.basename(p) for p in mini_batch]
`

func TestRunCancelKillsWorkersAndKeepsOutput(t *testing.T) {
	d := deployment(t, slowScript)
	d.MiniBatchSize = 1
	d.MaxConcurrencyPerInstance = 2
	d.Timeout = time.Hour // only the cancel may stop the slow mini-batches
	job := newJob(t, inputDir(t, "a", "b", "slow1", "slow2", "slow3"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	pidFile := filepath.Join(job.OutputDir, "pids.txt")
	res, err := Run(ctx, d, job, func(p Progress) {
		rec.report(p)
		if p.MiniBatchesSucceeded == 2 {
			// Both quick mini-batches are done; cancel once both workers are
			// up, so the slow mini-batches are running.
			waitForLines(t, pidFile, 2)
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res.Status != StatusCanceled {
		t.Fatalf("Run returned %v with status %s, want Canceled wrapping context.Canceled", err, res.Status)
	}
	assertStatuses(t, rec, StatusNotStarted, StatusPreparing, StatusRunning, StatusFinalizing, StatusCanceled)
	if got := readLines(t, res.OutputFile); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("output = %q, want the finished mini-batches [a b] kept", got)
	}
	if res.MiniBatchesSucceeded != 2 || res.MiniBatchesFailed != 0 {
		t.Errorf("progress = %+v, want 2 succeeded, none failed", res.Progress)
	}
	pids := readPIDs(t, pidFile)
	if len(pids) != 2 {
		t.Fatalf("workers = %v, want 2", pids)
	}
	assertAllGone(t, pids)
	if overview := readText(t, filepath.Join(res.LogsDir, "job_progress_overview.txt")); !strings.Contains(overview, "Status: Canceled") {
		t.Errorf("job_progress_overview.txt =\n%s", overview)
	}
}

// environmentScript checks the environment Azure gives a scoring script and
// writes its own files to AZUREML_BI_OUTPUT_PATH.
const environmentScript = `
import glob, json, logging, os, sys

info = {}

def init():
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    info.update(
        joined=open(os.path.join(model_dir, "model", "weights.txt")).read(),
        globbed=open(os.path.join(glob.glob(model_dir + "/*/")[0], "weights.txt")).read(),
        model_dir=model_dir,
        argv=sys.argv[1:],
        log_level=os.environ.get("AZUREML_LOG_LEVEL"),
        root_level=logging.getLogger().getEffectiveLevel(),
        custom=os.environ.get("MY_SETTING"),
        cwd=os.getcwd(),
    )
    open("scratch.txt", "w").write("a script's own file, next to it")
    print("hello from init")
    logging.getLogger("score").debug("debug line visible")

def run(mini_batch):
    out_dir = os.environ["AZUREML_BI_OUTPUT_PATH"]
    for p in mini_batch:
        with open(os.path.join(out_dir, os.path.basename(p) + ".scored"), "w") as f:
            f.write(open(p).read().upper())
    with open(os.path.join(out_dir, "info.json"), "w") as f:
        json.dump(info, f)
    return mini_batch
`

func TestRunScriptEnvironmentAndOwnOutputs(t *testing.T) {
	d := deployment(t, environmentScript)
	d.ModelDir = filepath.Join(t.TempDir(), "model")
	writeFile(t, filepath.Join(d.ModelDir, "weights.txt"), "w=1")
	d.ModelName, d.ModelVersion = "my-model", "7"
	d.LoggingLevel = "debug"
	d.EnvironmentVariables = map[string]string{"MY_SETTING": "42"}
	job := newJob(t, inputDir(t, "x", "y"))
	res, err, _ := runJob(t, d, job)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for name, want := range map[string]string{"x.scored": "X", "y.scored": "Y"} {
		if got := readText(t, filepath.Join(job.OutputDir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	var info struct {
		Joined, Globbed, ModelDir, LogLevel, Custom, Cwd string
		Argv                                             []string
		RootLevel                                        int
	}
	raw := strings.NewReplacer("model_dir", "ModelDir", "log_level", "LogLevel", "root_level", "RootLevel").
		Replace(readText(t, filepath.Join(job.OutputDir, "info.json")))
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		t.Fatal(err)
	}
	wantModelDir := filepath.Join(job.JobDir, "azureml-models", "my-model", "7")
	switch {
	case info.Joined != "w=1" || info.Globbed != "w=1":
		t.Errorf("model through join(AZUREML_MODEL_DIR, 'model') = %q, through glob = %q; want w=1 both", info.Joined, info.Globbed)
	case info.ModelDir != wantModelDir:
		t.Errorf("AZUREML_MODEL_DIR = %s, want %s", info.ModelDir, wantModelDir)
	case !slices.Equal(info.Argv, []string{"--logging_level", "DEBUG"}) || info.LogLevel != "DEBUG" || info.RootLevel != 10:
		t.Errorf("argv %v, AZUREML_LOG_LEVEL %q, root logger level %d; want --logging_level DEBUG, DEBUG, 10", info.Argv, info.LogLevel, info.RootLevel)
	case info.Custom != "42":
		t.Errorf("deployment environment variable MY_SETTING = %q, want 42", info.Custom)
	case info.Cwd != filepath.Join(job.JobDir, "code"):
		t.Errorf("working directory = %s, want the job's copy of the code %s", info.Cwd, filepath.Join(job.JobDir, "code"))
	}
	stdout := readText(t, filepath.Join(res.LogsDir, "user", "stdout", "0", "process000.stdout.txt"))
	if !strings.Contains(stdout, "hello from init") || !strings.Contains(stdout, "DEBUG score: debug line visible") {
		t.Errorf("stdout log lacks the script's print and debug logging:\n%s", stdout)
	}
	// What the script wrote next to itself stays in the job's copy.
	if entries, _ := os.ReadDir(d.CodeDir); len(entries) != 1 {
		t.Errorf("the registered code folder gained files (bytecode, the script's scratch file?): %v", entries)
	}
	if _, err := os.Stat(filepath.Join(job.JobDir, "code", "scratch.txt")); err != nil {
		t.Errorf("the script's file is not in the job's copy of the code: %v", err)
	}
}

func TestRunSummaryOnlyWritesNoOutputFile(t *testing.T) {
	d := deployment(t, echoScript)
	d.OutputAction = "summary_only"
	d.MiniBatchSize = 2
	job := newJob(t, inputDir(t, "a", "b", "c"))
	res, err, _ := runJob(t, d, job)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.OutputFile != "" || res.RowsWritten != 0 || res.MiniBatchesSucceeded != 2 || res.ItemsFailed != 0 {
		t.Errorf("result = %+v, want 2 succeeded mini-batches and no output file", res)
	}
	if entries, err := os.ReadDir(job.OutputDir); err != nil || len(entries) != 0 {
		t.Errorf("output folder holds %v (%v), want it empty", entries, err)
	}
}

func TestRunInterpreterChoice(t *testing.T) {
	tests := []struct {
		name, python, envPython string
		want                    []string // in the failure message; nil means the job completes
	}{
		{name: "missing explicit interpreter", python: "/nonexistent/bin/python3",
			want: []string{`"/nonexistent/bin/python3" (from the deployment's Python setting) not found`, "ML_LOCAL_PYTHON"}},
		{name: "missing interpreter from ML_LOCAL_PYTHON", envPython: "no-such-python-xyz",
			want: []string{`"no-such-python-xyz" (from ML_LOCAL_PYTHON) not found`}},
		{name: "interpreter that is not Python", python: "/bin/false",
			want: []string{"exited with exit status 1 before init() finished"}},
		{name: "ML_LOCAL_PYTHON names a working interpreter", envPython: "python3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PythonEnvVar, tt.envPython)
			d := deployment(t, echoScript)
			d.Python = tt.python
			res, err, _ := runJob(t, d, newJob(t, inputDir(t, "a")))
			if tt.want == nil {
				if err != nil || res.Status != StatusCompleted {
					t.Fatalf("Run = %v, status %s; want Completed", err, res.Status)
				}
				return
			}
			var jobErr *JobError
			if !errors.As(err, &jobErr) || res.Status != StatusFailed {
				t.Fatalf("Run returned %v with status %s, want a Failed *JobError", err, res.Status)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.Message, want) {
					t.Errorf("message lacks %q:\n%s", want, res.Message)
				}
			}
		})
	}
}

// batchRecorder writes every mini-batch it gets to a file named after its
// worker's pid, and returns each file's content (its name).
const batchRecorder = `
import json, os

def init():
    open(os.path.join(os.environ["AZUREML_BI_OUTPUT_PATH"], "worker-%d.jsonl" % os.getpid()), "a").close()

def run(mini_batch):
    with open(os.path.join(os.environ["AZUREML_BI_OUTPUT_PATH"], "worker-%d.jsonl" % os.getpid()), "a") as f:
        f.write(json.dumps(mini_batch) + "\n")
    return [open(p).read() for p in mini_batch]
`

func TestRunPartitionsFilesAndStartsWorkers(t *testing.T) {
	files := []string{"g1", "a2", "b/c1", "f1", "a1", "b/d/e1", "b/c2"}
	sorted := []string{"a1", "a2", "b/c1", "b/c2", "b/d/e1", "f1", "g1"}
	tests := []struct {
		name                   string
		size, instances, procs int
		wantBatches            [][]string
		wantWorkers            int
	}{
		{"defaults put every file in one mini-batch", 0, 0, 0, [][]string{sorted}, 1},
		{"two files per mini-batch on one worker", 2, 1, 1,
			[][]string{{"a1", "a2"}, {"b/c1", "b/c2"}, {"b/d/e1", "f1"}, {"g1"}}, 1},
		{"three per mini-batch on one instance with two processes", 3, 1, 2,
			[][]string{{"a1", "a2", "b/c1"}, {"b/c2", "b/d/e1", "f1"}, {"g1"}}, 2},
		{"two instances with two processes each", 2, 2, 2,
			[][]string{{"a1", "a2"}, {"b/c1", "b/c2"}, {"b/d/e1", "f1"}, {"g1"}}, 4},
		{"never more workers than mini-batches", 4, 3, 2,
			[][]string{{"a1", "a2", "b/c1", "b/c2"}, {"b/d/e1", "f1", "g1"}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := inputDir(t, files...)
			d := deployment(t, batchRecorder)
			d.MiniBatchSize, d.InstanceCount, d.MaxConcurrencyPerInstance = tt.size, tt.instances, tt.procs
			job := newJob(t, in)
			res, err, _ := runJob(t, d, job)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Workers != tt.wantWorkers || res.MiniBatchesTotal != len(tt.wantBatches) {
				t.Errorf("workers %d, mini-batches %d; want %d, %d", res.Workers, res.MiniBatchesTotal, tt.wantWorkers, len(tt.wantBatches))
			}
			workerFiles, _ := filepath.Glob(filepath.Join(job.OutputDir, "worker-*.jsonl"))
			if len(workerFiles) != tt.wantWorkers {
				t.Errorf("init() ran in %d processes, want %d", len(workerFiles), tt.wantWorkers)
			}
			var got [][]string
			for _, wf := range workerFiles {
				for _, line := range readLines(t, wf) {
					var batch []string
					if err := json.Unmarshal([]byte(line), &batch); err != nil {
						t.Fatal(err)
					}
					for i, p := range batch {
						if !filepath.IsAbs(p) {
							t.Errorf("mini_batch path %q is not absolute", p)
						}
						// Under the job's read-only view of the input.
						batch[i], _ = filepath.Rel(filepath.Join(job.JobDir, "inputs", "0", filepath.Base(in)), p)
					}
					got = append(got, batch)
				}
			}
			slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
			if !slices.EqualFunc(got, tt.wantBatches, slices.Equal) {
				t.Errorf("mini-batches = %q, want %q", got, tt.wantBatches)
			}
			// Output lines follow input order whichever worker ran what.
			if out := readLines(t, res.OutputFile); !slices.Equal(out, sorted) {
				t.Errorf("output = %q, want %q", out, sorted)
			}
		})
	}
}

func TestRunFormatsReturnedRowsLikeAppendRow(t *testing.T) {
	tests := []struct {
		name, returns string
		wantOutput    []string
		wantError     string // in logs/user/error.txt when the mini-batch fails
	}{
		{name: "tuples lists scalars and strings",
			returns:    `[("a", 1, 2.5), "plain text", 7, ["x", None, True], {"k": 1}]`,
			wantOutput: []string{"a 1 2.5", "plain text", "7", "x None True", "{'k': 1}"}},
		{name: "a generator", returns: `(n * n for n in range(3))`, wantOutput: []string{"0", "1", "4"}},
		{name: "a bare string", returns: `"abc"`, wantError: "TypeError: run() returned a str"},
		{name: "a number", returns: `42`, wantError: "TypeError: run() must return a list or a pandas DataFrame, got int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment(t, "def init():\n    pass\n\ndef run(mini_batch):\n    return "+tt.returns+"\n")
			d.MaxRetries = new(0)
			res, _, _ := runJob(t, d, newJob(t, inputDir(t, "a")))
			if tt.wantError != "" {
				if res.MiniBatchesFailed != 1 {
					t.Fatalf("progress = %+v, want the mini-batch failed", res.Progress)
				}
				if errorTxt := readText(t, filepath.Join(res.LogsDir, "user", "error.txt")); !strings.Contains(errorTxt, tt.wantError) {
					t.Errorf("logs/user/error.txt lacks %q:\n%s", tt.wantError, errorTxt)
				}
				return
			}
			if got := readLines(t, res.OutputFile); !slices.Equal(got, tt.wantOutput) {
				t.Errorf("output = %q, want %q", got, tt.wantOutput)
			}
		})
	}
}

func TestRunRejectsBadSettings(t *testing.T) {
	in := inputDir(t, "a")
	tests := []struct {
		name   string
		change func(*Deployment, *Job)
		want   string
	}{
		{"negative mini-batch size", func(d *Deployment, _ *Job) { d.MiniBatchSize = -1 }, "settings.mini_batch_size is -1"},
		{"negative instance count", func(d *Deployment, _ *Job) { d.InstanceCount = -2 }, "resources.instance_count"},
		{"error threshold below -1", func(d *Deployment, _ *Job) { d.ErrorThreshold = new(-2) }, "settings.error_threshold is -2"},
		{"negative max retries", func(d *Deployment, _ *Job) { d.MaxRetries = new(-1) }, "settings.retry_settings.max_retries"},
		{"negative timeout", func(d *Deployment, _ *Job) { d.Timeout = -time.Second }, "settings.retry_settings.timeout"},
		{"unknown output action", func(d *Deployment, _ *Job) { d.OutputAction = "append" }, `settings.output_action "append" is not supported`},
		{"unknown logging level", func(d *Deployment, _ *Job) { d.LoggingLevel = "verbose" }, "settings.logging_level"},
		{"output file name with a folder", func(d *Deployment, _ *Job) { d.OutputFileName = "sub/p.csv" }, "settings.output_file_name"},
		{"missing code folder", func(d *Deployment, _ *Job) { d.CodeDir = "" }, "code_configuration.code is empty"},
		{"missing scoring script", func(d *Deployment, _ *Job) { d.ScoringScript = "nope.py" }, `code_configuration.scoring_script "nope.py" not found`},
		{"scoring script outside the code folder", func(d *Deployment, _ *Job) { d.ScoringScript = "../x.py" }, "must be a path inside"},
		{"missing model folder", func(d *Deployment, _ *Job) { d.ModelDir = "/nonexistent/model" }, `model path "/nonexistent/model" does not exist`},
		{"missing input", func(_ *Deployment, j *Job) { j.Inputs = []string{"/nonexistent/data"} }, `input "/nonexistent/data" does not exist`},
		{"no input", func(_ *Deployment, j *Job) { j.Inputs = nil }, "the job has no input"},
		{"existing output file", func(_ *Deployment, j *Job) { writeFile(t, filepath.Join(j.OutputDir, "predictions.csv"), "old") }, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment(t, echoScript)
			job := newJob(t, in)
			tt.change(&d, &job)
			res, err, rec := runJob(t, d, job)
			if !clierr.IsUsage(err) {
				t.Fatalf("Run returned %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) || res.Status != StatusFailed {
				t.Errorf("error %q (status %s), want it to contain %q and status Failed", err, res.Status, tt.want)
			}
			if got := rec.statusList(); got[len(got)-1] != StatusFailed || slices.Contains(got, StatusRunning) {
				t.Errorf("statuses %v, want Failed without Running", got)
			}
		})
	}
}

func TestRunEmptyInputFolderFails(t *testing.T) {
	res, err, _ := runJob(t, deployment(t, echoScript), newJob(t, inputDir(t)))
	var jobErr *JobError
	if !errors.As(err, &jobErr) || !strings.Contains(res.Message, "contains no files") {
		t.Fatalf("Run returned %v (%s), want a Failed job saying the input has no files", err, res.Message)
	}
}

// writeInputsScript tries to overwrite each mini-batch file and reports
// whether it could, and under which folder the file was.
const writeInputsScript = `
import os

def init():
    pass

def run(mini_batch):
    out = []
    for p in mini_batch:
        try:
            with open(p, "w") as f:
                f.write("changed by the script")
            wrote = "wrote"
        except PermissionError:
            wrote = "refused"
        out.append(os.path.basename(p) + " " + wrote + " " + os.path.dirname(p))
    return out
`

// TestRunInputsAreReadOnly: the script sees its inputs in read-only views
// in the job folder, as Azure mounts them, so writing to a mini-batch file
// never changes the input itself, and the views go when the job ends.
func TestRunInputsAreReadOnly(t *testing.T) {
	in := inputDir(t, "a.csv", "b.csv")
	single := filepath.Join(t.TempDir(), "c.csv")
	writeFile(t, single, "c")
	job := newJob(t, in, single)
	res, err, _ := runJob(t, deployment(t, writeInputsScript), job)
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Message)
	}
	for name, want := range map[string]string{filepath.Join(in, "a.csv"): "a.csv", filepath.Join(in, "b.csv"): "b.csv", single: "c"} {
		if got := readText(t, name); got != want {
			t.Errorf("input %s now holds %q, want %q: the script wrote through to it", name, got, want)
		}
	}
	lines := readLines(t, res.OutputFile)
	if len(lines) != 3 {
		t.Fatalf("output %q, want 3 lines", lines)
	}
	wantDirs := []string{
		filepath.Join(job.JobDir, "inputs", "0", filepath.Base(in)),
		filepath.Join(job.JobDir, "inputs", "0", filepath.Base(in)),
		filepath.Join(job.JobDir, "inputs", "1"),
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != wantDirs[i] {
			t.Errorf("line %d = %q, want the file under %s", i, line, wantDirs[i])
			continue
		}
		// Permission bits stop everyone but root; as root the view is a copy.
		if os.Geteuid() != 0 && f[1] != "refused" {
			t.Errorf("line %d = %q: the script could write to its input", i, line)
		}
	}
	if _, err := os.Stat(filepath.Join(job.JobDir, "inputs")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the inputs folder outlived the job: %v", err)
	}
}
