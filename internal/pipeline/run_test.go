package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// prepScript scales every number of every file in --data and writes them
// to --out/values.txt; it prints its arguments, and fails on a line that
// is not a number.
const prepScript = `import argparse, os, sys
print("argv:", " ".join(sys.argv[1:]))
p = argparse.ArgumentParser()
p.add_argument("--data"); p.add_argument("--scale", type=float); p.add_argument("--verbose")
p.add_argument("--transforms"); p.add_argument("--out")
a = p.parse_args()
values = []
for name in sorted(os.listdir(a.data)):
    for line in open(os.path.join(a.data, name)):
        line = line.strip()
        if line:
            try:
                values.append(float(line) * a.scale)
            except ValueError:
                raise SystemExit("bad value %r in %s" % (line, name))
with open(os.path.join(a.out, "values.txt"), "w") as f:
    for v in values:
        f.write("%g\n" % v)
print("prepared", len(values), "values")
`

// twoStep is a prepare step feeding a score step: one data input, two
// literals with defaults, the score step's output as the pipeline's.
func twoStep(t testing.TB) *Component {
	code := writeFiles(t, filepath.Join(t.TempDir(), "prep"), map[string]string{"prep.py": prepScript})
	prep := command("prep:1",
		"python prep.py --data ${{inputs.data}} --scale ${{inputs.scale}} --verbose ${{inputs.verbose}} $[[--transforms ${{inputs.transforms}}]] --out ${{outputs.prepared}}",
		map[string]Port{"data": folder(), "scale": {Type: "number", Default: Lit("2.0")}, "verbose": {Type: "boolean", Default: Lit("True")}, "transforms": {Type: "uri_folder", Optional: true}},
		map[string]Port{"prepared": folder()})
	prep.CodeDir = code
	score := command("score:1",
		"awk '{print $1 + ${{inputs.offset}}}' ${{inputs.prepared}}/values.txt > ${{outputs.scores}}/scores.txt && echo scored",
		map[string]Port{"prepared": folder(), "offset": {Type: "integer", Default: Lit("1")}},
		map[string]Port{"scores": folder()})
	return pipelineOf("two_step:1",
		map[string]Port{"input_data": folder(), "scale": {Type: "number", Default: Lit("3.0")}, "offset": {Type: "integer", Default: Lit("10")}},
		map[string]Port{"scores": folder()},
		map[string]*Step{
			"prep": {Component: prep, Inputs: map[string]Binding{"data": bind("${{parent.inputs.input_data}}"), "scale": bind("${{parent.inputs.scale}}")}},
			"score": {Component: score,
				Inputs:  map[string]Binding{"prepared": bind("${{parent.jobs.prep.outputs.prepared}}"), "offset": {Ref: "${{parent.inputs.offset}}"}},
				Outputs: map[string]Binding{"scores": bind("${{parent.outputs.scores}}")}},
		})
}

func TestTwoStepPipeline(t *testing.T) {
	w := newWorkspace(t)
	data := writeFiles(t, t.TempDir(), map[string]string{"a.txt": "1\n2\n", "b.txt": "5\n"})
	job := Job{Name: "job1", Component: twoStep(t), Inputs: map[string]Binding{"input_data": {Path: data}}}
	res, err := w.run(t, job)
	if err != nil || res.Status != StatusCompleted {
		t.Fatalf("Run = %v, %v (%s)", res.Status, err, res.Error)
	}
	// scale defaults to the pipeline's 3.0, verbose to the component's
	// True, offset to the pipeline's 10.
	if got := readFile(t, filepath.Join(res.Outputs["scores"], "scores.txt")); got != "13\n16\n25\n" {
		t.Fatalf("scores.txt = %q", got)
	}
	wantOut, _ := w.outputDir("job1", "scores")
	if res.Outputs["scores"] != wantOut {
		t.Fatalf("pipeline output at %s, want Azure's default %s", res.Outputs["scores"], wantOut)
	}
	prep, score := step(t, res, "prep"), step(t, res, "score")
	if prep.Job != "job1-prep" || score.Job != "job1-score" {
		t.Fatalf("child jobs %s, %s", prep.Job, score.Job)
	}
	log := readFile(t, filepath.Join(w.jobDir("job1-prep"), "user_logs", "std_log.txt"))
	contains(t, log, "--scale 3.0 --verbose True --out")
	contains(t, log, "prepared 3 values")
	if strings.Contains(log, "--transforms") {
		t.Fatalf("the optional --transforms block was not dropped: %s", log)
	}
	prepOut, _ := w.outputDir("job1-prep", "prepared")
	if prep.Outputs["prepared"] != prepOut || score.Inputs["prepared"].Path != prepOut {
		t.Fatalf("prep output %s, score input %+v; want both %s", prep.Outputs["prepared"], score.Inputs["prepared"], prepOut)
	}
	contains(t, readFile(t, filepath.Join(w.jobDir("job1-score"), "user_logs", "std_log.txt")), "scored")
	if !slices.Equal(score.DependsOn, []string{"prep"}) || score.StartedAt.Before(prep.EndedAt) {
		t.Fatalf("score depends on %v and started %v, prep ended %v", score.DependsOn, score.StartedAt, prep.EndedAt)
	}
	if got := w.statuses("score"); !slices.Equal(got, []Status{StatusRunning, StatusCompleted}) {
		t.Fatalf("score reported %v", got)
	}
	exec := readFile(t, filepath.Join(w.jobDir("job1"), filepath.FromSlash(ExecutionLog)))
	contains(t, exec, "step prep (job job1-prep): Completed")
	contains(t, exec, "job job1: Completed")
	// The code folder is copied, never written to.
	if _, err := os.Stat(filepath.Join(w.jobDir("job1-prep"), "wd", "prep.py")); err != nil {
		t.Fatalf("no copy of the code in the working folder: %v", err)
	}
}

func TestFailedStepFailsPipelineAndSkipsDependents(t *testing.T) {
	w := newWorkspace(t)
	data := writeFiles(t, t.TempDir(), map[string]string{"a.txt": "1\nnot-a-number\n"})
	res, err := w.run(t, Job{Name: "bad", Component: twoStep(t), Inputs: map[string]Binding{"input_data": {Path: data}}})
	var jerr *JobError
	if !errors.As(err, &jerr) || res.Status != StatusFailed {
		t.Fatalf("Run = %v, %v; want Failed", res.Status, err)
	}
	contains(t, res.Error, "Failed nodes: /prep")
	contains(t, res.Error, "Step prep (job bad-prep) failed: user process 'python' exited with status code 1: bad value 'not-a-number' in a.txt (see user_logs/std_log.txt of job bad-prep)")
	prep := step(t, res, "prep")
	contains(t, prep.Error, "Execution failed. User process 'python' exited with status code 1. Please check log file 'user_logs/std_log.txt' for error details. Error: argv:")
	contains(t, prep.Error, "\nbad value 'not-a-number' in a.txt")
	score := step(t, res, "score")
	if score.Status != StatusSkipped || !score.StartedAt.IsZero() {
		t.Fatalf("score = %+v; want Skipped, never started", score)
	}
	if _, err := os.Stat(w.jobDir("bad-score")); !os.IsNotExist(err) {
		t.Fatalf("the score step has a job folder: %v", err)
	}
	if got := w.statuses("score"); !slices.Equal(got, []Status{StatusSkipped}) {
		t.Fatalf("score reported %v", got)
	}
}

// fork is a pipeline of three independent-or-not steps: a and b run from
// the start, c reads a's output.
func fork(aCmd, bCmd string) *Component {
	out := map[string]Port{"out": folder()}
	in := map[string]Port{"in": folder()}
	return pipelineOf("fork", nil, nil, map[string]*Step{
		"a": {Component: command("a", aCmd, nil, out)},
		"b": {Component: command("b", bCmd, nil, out)},
		"c": {Component: command("c", "cat ${{inputs.in}}/x", in, nil), Inputs: map[string]Binding{"in": bind("${{parent.jobs.a.outputs.out}}")}},
	})
}

func TestContinueOnStepFailure(t *testing.T) {
	w := newWorkspace(t)
	job := Job{Name: "cont", Component: fork("echo broken >&2; exit 3", "echo fine > ${{outputs.out}}/x"), ContinueOnStepFailure: true}
	res, err := w.run(t, job)
	if err == nil || res.Status != StatusFailed {
		t.Fatalf("Run = %v, %v; want Failed", res.Status, err)
	}
	a, b, c := step(t, res, "a"), step(t, res, "b"), step(t, res, "c")
	if a.Status != StatusFailed || a.ExitCode != 3 || b.Status != StatusCompleted || c.Status != StatusSkipped {
		t.Fatalf("a %s (%d), b %s, c %s", a.Status, a.ExitCode, b.Status, c.Status)
	}
	contains(t, a.Error, "exited with status code 3")
	contains(t, a.Error, "Error: broken")
	contains(t, c.Error, "depends on failed step a")
}

func TestFailureCancelsRunningSteps(t *testing.T) {
	w := newWorkspace(t)
	// b waits for a marker that only appears once a has failed, so it is
	// surely running when a fails.
	marker := filepath.Join(t.TempDir(), "a-failed")
	job := Job{Name: "stop", Component: fork("touch "+marker+"; exit 1", "while [ ! -e "+marker+" ]; do sleep 0.05; done; sleep 60")}
	res, err := w.run(t, job)
	if err == nil || res.Status != StatusFailed {
		t.Fatalf("Run = %v, %v; want Failed", res.Status, err)
	}
	if b := step(t, res, "b"); b.Status != StatusCanceled || !strings.Contains(b.Error, "step a failed") {
		t.Fatalf("b = %s (%s); want Canceled because a failed", b.Status, b.Error)
	}
	if c := step(t, res, "c"); c.Status != StatusSkipped {
		t.Fatalf("c = %s; want Skipped", c.Status)
	}
}

// rendezvous is a command that writes its own marker and waits (bounded)
// for the other's: it can only succeed when both steps run at once.
func rendezvous(dir, self, other string) string {
	return "touch " + filepath.Join(dir, self) + "; i=0; while [ ! -e " + filepath.Join(dir, other) + " ]; do i=$((i+1)); [ $i -gt 600 ] && exit 9; sleep 0.05; done"
}

func TestIndependentStepsRunConcurrently(t *testing.T) {
	w := newWorkspace(t)
	dir := t.TempDir()
	res, err := w.run(t, Job{Name: "par", Component: fork(rendezvous(dir, "a", "b")+"; echo hi > ${{outputs.out}}/x", rendezvous(dir, "b", "a"))})
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	a, b := step(t, res, "a"), step(t, res, "b")
	// The timeline shows the overlap.
	if !a.StartedAt.Before(b.EndedAt) || !b.StartedAt.Before(a.EndedAt) {
		t.Fatalf("a %v–%v and b %v–%v do not overlap", a.StartedAt, a.EndedAt, b.StartedAt, b.EndedAt)
	}
}

func TestMaxParallelOneRunsStepsOneAtATime(t *testing.T) {
	w := newWorkspace(t)
	opts := w.options()
	opts.MaxParallel = 1
	res, err := w.runWith(t, context.Background(), Job{Name: "serial", Component: fork("echo a > ${{outputs.out}}/x", "true")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	steps := slices.Clone(res.Steps)
	slices.SortFunc(steps, func(x, y StepRun) int { return x.StartedAt.Compare(y.StartedAt) })
	for i := 1; i < len(steps); i++ {
		if steps[i].StartedAt.Before(steps[i-1].EndedAt) {
			t.Fatalf("%s started before %s ended with MaxParallel 1", steps[i].Path, steps[i-1].Path)
		}
	}
}

func TestNestedPipelineIsExpanded(t *testing.T) {
	w := newWorkspace(t)
	double := command("double", "echo $(( $(cat ${{inputs.in}}/n) * 2 )) > ${{outputs.out}}/n", map[string]Port{"in": folder()}, map[string]Port{"out": folder()})
	seed := command("seed", "echo ${{inputs.n}} > ${{outputs.out}}/n", map[string]Port{"n": {Type: "integer"}}, map[string]Port{"out": folder()})
	inner := pipelineOf("inner", map[string]Port{"in": folder()}, map[string]Port{"out": folder()}, map[string]*Step{
		"first":  {Component: double, Inputs: map[string]Binding{"in": bind("${{parent.inputs.in}}")}},
		"second": {Component: double, Inputs: map[string]Binding{"in": bind("${{parent.jobs.first.outputs.out}}")}, Outputs: map[string]Binding{"out": bind("${{parent.outputs.out}}")}},
	})
	outer := pipelineOf("outer", map[string]Port{"n": {Type: "integer", Default: Lit("3")}}, map[string]Port{"result": folder()}, map[string]*Step{
		"seed":  {Component: seed, Inputs: map[string]Binding{"n": {Ref: "${{parent.inputs.n}}"}}},
		"quad":  {Component: inner, Inputs: map[string]Binding{"in": bind("${{parent.jobs.seed.outputs.out}}")}},
		"final": {Component: double, Inputs: map[string]Binding{"in": bind("${{parent.jobs.quad.outputs.out}}")}, Outputs: map[string]Binding{"out": bind("${{parent.outputs.result}}")}},
	})
	res, err := w.run(t, Job{Name: "nest", Component: outer})
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(res.Outputs["result"], "n"))); got != "24" {
		t.Fatalf("result = %s, want 3*2*2*2 = 24", got)
	}
	var paths []string
	for _, s := range res.Steps {
		paths = append(paths, s.Path)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"final", "quad.first", "quad.second", "seed"}) {
		t.Fatalf("steps %v", paths)
	}
	if s := step(t, res, "quad.second"); s.Job != "nest-quad-second" || !slices.Equal(s.DependsOn, []string{"quad.first"}) {
		t.Fatalf("quad.second = %+v", s)
	}
	if f := step(t, res, "final"); !slices.Equal(f.DependsOn, []string{"quad.second"}) {
		t.Fatalf("final depends on %v", f.DependsOn)
	}
}

func TestSingleCommandJobIsItsOwnStep(t *testing.T) {
	w := newWorkspace(t)
	comp := command("hello", "echo hello ${{inputs.who}} > ${{outputs.greeting}}/g.txt; echo $AZUREML_RUN_ID $AZURE_ML_INPUT_who $GREETING_STYLE",
		map[string]Port{"who": {Type: "string"}}, map[string]Port{"greeting": folder()})
	comp.EnvironmentVariables = map[string]string{"GREETING_STYLE": "loud"}
	res, err := w.run(t, Job{Name: "cmd1", Component: comp, Inputs: map[string]Binding{"who": {Literal: Lit("world")}}})
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	s := step(t, res, "")
	out, _ := w.outputDir("cmd1", "greeting")
	if s.Job != "cmd1" || res.Outputs["greeting"] != out {
		t.Fatalf("step %+v, outputs %v", s, res.Outputs)
	}
	if got := readFile(t, filepath.Join(out, "g.txt")); got != "hello world\n" {
		t.Fatalf("g.txt = %q", got)
	}
	contains(t, readFile(t, filepath.Join(w.jobDir("cmd1"), "user_logs", "std_log.txt")), "cmd1 world loud")
	if _, err := os.Stat(filepath.Join(w.jobDir("cmd1"), filepath.FromSlash(ExecutionLog))); !os.IsNotExist(err) {
		t.Fatalf("a single command job has an execution log: %v", err)
	}
}

func TestLocalPythonIsFirstOnPath(t *testing.T) {
	w := newWorkspace(t)
	opts := w.options()
	opts.Python = "/usr/bin/python3"
	comp := command("which", `python -c "import sys; print('exe', sys.executable)"; python3 -c "print('three')"`, nil, nil)
	res, err := w.runWith(t, context.Background(), Job{Name: "py", Component: comp}, opts)
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	log := readFile(t, filepath.Join(w.jobDir("py"), "user_logs", "std_log.txt"))
	contains(t, log, "exe /usr/bin/python3")
	contains(t, log, "three")
}

func TestNodeEnvironmentVariablesWin(t *testing.T) {
	w := newWorkspace(t)
	comp := command("env", "echo $A-$B", nil, nil)
	comp.EnvironmentVariables = map[string]string{"A": "component", "B": "component"}
	p := pipelineOf("p", nil, nil, map[string]*Step{"s": {Component: comp, EnvironmentVariables: map[string]string{"B": "node"}}})
	if _, err := w.run(t, Job{Name: "envs", Component: p}); err != nil {
		t.Fatal(err)
	}
	contains(t, readFile(t, filepath.Join(w.jobDir("envs-s"), "user_logs", "std_log.txt")), "component-node")
}

func TestParallelStepRunsThroughTheBatchRuntime(t *testing.T) {
	w := newWorkspace(t)
	code := writeFiles(t, filepath.Join(t.TempDir(), "code"), map[string]string{"score.py": "import os\ndef init():\n    pass\n\ndef run(mini_batch):\n    return [os.path.basename(f) for f in mini_batch]\n"})
	files := map[string]string{}
	for i := range 5 {
		files["f"+strconv.Itoa(i)+".txt"] = "x"
	}
	data := writeFiles(t, t.TempDir(), files)
	par := &Component{Name: "par", Type: TypeParallel, CodeDir: code,
		Inputs: map[string]Port{"data": folder()}, Outputs: map[string]Port{"rows": folder()},
		Parallel: &Parallel{InputData: "${{inputs.data}}", EntryScript: "score.py", AppendRowTo: "${{outputs.rows}}", MiniBatchSize: 2}}
	p := pipelineOf("p", map[string]Port{"data": folder()}, map[string]Port{"rows": folder()}, map[string]*Step{
		"score": {Component: par, Inputs: map[string]Binding{"data": bind("${{parent.inputs.data}}")}, Outputs: map[string]Binding{"rows": bind("${{parent.outputs.rows}}")}},
	})
	res, err := w.run(t, Job{Name: "prl", Component: p, Inputs: map[string]Binding{"data": {Path: data}}})
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	got := readFile(t, filepath.Join(res.Outputs["rows"], DefaultParallelOutputFileName))
	if got != "f0.txt\nf1.txt\nf2.txt\nf3.txt\nf4.txt\n" {
		t.Fatalf("%s = %q", DefaultParallelOutputFileName, got)
	}
	contains(t, readFile(t, filepath.Join(w.jobDir("prl-score"), "user_logs", "std_log.txt")), "3 mini-batches: 3 succeeded")
	if _, err := os.Stat(filepath.Join(w.jobDir("prl-score"), "logs", "job_progress_overview.txt")); err != nil {
		t.Fatalf("no batch runtime logs: %v", err)
	}
}

func TestValidateRefusesBadGraphs(t *testing.T) {
	w := newWorkspace(t)
	out := map[string]Port{"out": folder()}
	in := map[string]Port{"in": folder()}
	echo := command("echo", "true", in, out)
	cases := []struct {
		name string
		job  Job
		want string
	}{
		{"unknown job input", Job{Name: "j", Component: twoStep(t), Inputs: map[string]Binding{"input_data": {Path: "/d"}, "nope": {Literal: Lit("1")}}}, "nope is not an input of component two_step:1; its inputs are: input_data, offset, scale"},
		{"missing required input", Job{Name: "j", Component: twoStep(t)}, "job j, input input_data: it is required"},
		{"literal for data", Job{Name: "j", Component: twoStep(t), Inputs: map[string]Binding{"input_data": {Literal: Lit("x")}}}, "uri_folder data input, but is given the literal x"},
		{"bad literal", Job{Name: "j", Component: twoStep(t), Inputs: map[string]Binding{"input_data": {Path: "/d"}, "offset": {Literal: Lit("ten")}}}, `input offset: "ten" is not an integer`},
		{"cycle", Job{Name: "j", Component: pipelineOf("cyc", nil, nil, map[string]*Step{
			"a": {Component: echo, Inputs: map[string]Binding{"in": bind("${{parent.jobs.b.outputs.out}}")}},
			"b": {Component: echo, Inputs: map[string]Binding{"in": bind("${{parent.jobs.a.outputs.out}}")}},
		})}, "a cycle"},
		{"unknown step", Job{Name: "j", Component: pipelineOf("p", nil, nil, map[string]*Step{
			"a": {Component: echo, Inputs: map[string]Binding{"in": bind("${{parent.jobs.zz.outputs.out}}")}},
		})}, "names no step of pipeline p; its steps are: a"},
		{"unknown step output", Job{Name: "j", Component: pipelineOf("p", nil, nil, map[string]*Step{
			"a": {Component: echo, Inputs: map[string]Binding{"in": {Path: "/d"}}},
			"b": {Component: echo, Inputs: map[string]Binding{"in": bind("${{parent.jobs.a.outputs.model}}")}},
		})}, "step a has no output model; its outputs are: out"},
		{"output nobody writes", Job{Name: "j", Component: pipelineOf("p", nil, out, map[string]*Step{
			"a": {Component: echo, Inputs: map[string]Binding{"in": {Path: "/d"}}},
		})}, "declares output out, but no step writes it"},
		{"undeclared command input", Job{Name: "j", Component: command("c", "echo ${{inputs.x}}", nil, nil)}, "uses ${{inputs.x}}, but the component has no input x"},
		{"unset optional outside block", Job{Name: "j", Component: command("c", "echo ${{inputs.x}}", map[string]Port{"x": {Type: "string", Optional: true}}, nil)}, "outside a $[[...]] block"},
		{"two writers", Job{Name: "j", Component: pipelineOf("p", nil, out, map[string]*Step{
			"a": {Component: echo, Inputs: map[string]Binding{"in": {Path: "/d"}}, Outputs: map[string]Binding{"out": bind("${{parent.outputs.out}}")}},
			"b": {Component: echo, Inputs: map[string]Binding{"in": {Path: "/d"}}, Outputs: map[string]Binding{"out": bind("${{parent.outputs.out}}")}},
		})}, "steps a and b both write ${{parent.outputs.out}}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Validate(c.job, w.options())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate error = %v, want it to contain %q", err, c.want)
			}
			res, err := Run(context.Background(), c.job, w.options())
			if err == nil || res.Status != StatusFailed || len(res.Steps) != 0 {
				t.Fatalf("Run of an invalid job = %+v, %v; want Failed with nothing run", res, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(w.root, "jobs")); !os.IsNotExist(err) {
		t.Fatalf("invalid jobs wrote job folders: %v", err)
	}
}

// TestStepInputsAreReadOnly: a command step gets its ro_mount and download
// inputs (folders and files) as read-only trees in its job folder: it reads
// them, and whatever it tries to write there never reaches the source (a
// registered asset, another step's output); the trees go when the step
// ends. An rw_mount input writes through.
func TestStepInputsAreReadOnly(t *testing.T) {
	w := newWorkspace(t)
	data := writeFiles(t, t.TempDir(), map[string]string{"a.txt": "1\n", "sub/b.txt": "2\n"})
	one := filepath.Join(writeFiles(t, t.TempDir(), map[string]string{"one.csv": "x\n"}), "one.csv")
	shared := writeFiles(t, t.TempDir(), map[string]string{"keep.txt": "k\n"})
	// Each write may fail (permission bits) or land in the copy (root):
	// either way the source stays as it was.
	tamper := command("tamper:1",
		"cat ${{inputs.data}}/a.txt ${{inputs.data}}/sub/b.txt ${{inputs.one}} > ${{outputs.out}}/seen.txt"+
			" && basename ${{inputs.one}} >> ${{outputs.out}}/seen.txt"+
			" && echo \"$AZURE_ML_INPUT_data\" > ${{outputs.out}}/env.txt"+
			"; (echo changed > ${{inputs.data}}/a.txt; echo new > ${{inputs.data}}/new.txt; echo changed > ${{inputs.one}}; rm -f ${{inputs.data}}/sub/b.txt) 2>/dev/null"+
			"; echo written > ${{inputs.rw}}/rw.txt; true",
		map[string]Port{"data": folder(), "one": {Type: "uri_file", Mode: "download"}, "rw": {Type: "uri_folder", Mode: "rw_mount"}},
		map[string]Port{"out": folder()})
	res, err := w.run(t, Job{Name: "ro", Component: tamper, Inputs: map[string]Binding{
		"data": {Path: data}, "one": {Path: one}, "rw": {Path: shared},
	}})
	if err != nil || res.Status != StatusCompleted {
		t.Fatalf("Run = %v, %v (%s)", res.Status, err, res.Error)
	}
	if got := readFile(t, filepath.Join(res.Outputs["out"], "seen.txt")); got != "1\n2\nx\none.csv\n" {
		t.Errorf("the step saw %q, want the inputs' content and the file's own name", got)
	}
	view := strings.TrimSpace(readFile(t, filepath.Join(res.Outputs["out"], "env.txt")))
	if want := filepath.Join(w.jobDir("ro"), "inputs", "data"); view != want {
		t.Errorf("AZURE_ML_INPUT_data = %s, want the read-only tree %s", view, want)
	}
	for path, want := range map[string]string{
		filepath.Join(data, "a.txt"): "1\n", filepath.Join(data, "sub", "b.txt"): "2\n", one: "x\n",
		filepath.Join(shared, "rw.txt"): "written\n",
	} {
		if got := readFile(t, path); got != want {
			t.Errorf("%s = %q after the step, want %q", path, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "new.txt")); !os.IsNotExist(err) {
		t.Errorf("the step created a file in its input's source: %v", err)
	}
	if _, err := os.Stat(filepath.Join(w.jobDir("ro"), "inputs")); !os.IsNotExist(err) {
		t.Errorf("the read-only inputs outlived the step: %v", err)
	}
}

// TestAfterStepRunsOnEachStepsGoroutine: the hooks of steps that run at
// once run at once (each waits for the other: serialized hooks would never
// meet), each sees its step's outputs and status, and a step's dependents
// start only after its hook returned.
func TestAfterStepRunsOnEachStepsGoroutine(t *testing.T) {
	w := newWorkspace(t)
	entered := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	var mu sync.Mutex
	var hooked []string
	aHookDone := time.Time{}
	opts := w.options()
	opts.AfterStep = func(ctx context.Context, s StepRun) error {
		mu.Lock()
		hooked = append(hooked, s.Path)
		mu.Unlock()
		if (s.Path != "c" && s.Outputs["out"] == "") || s.Status != StatusCompleted {
			return fmt.Errorf("hook of %s saw outputs %v and status %s", s.Path, s.Outputs, s.Status)
		}
		if other := map[string]string{"a": "b", "b": "a"}[s.Path]; other != "" {
			close(entered[s.Path])
			select {
			case <-entered[other]:
			case <-time.After(30 * time.Second):
				return fmt.Errorf("the hook of %s never ran beside %s's", s.Path, other)
			}
		}
		if s.Path == "a" {
			mu.Lock()
			aHookDone = time.Now()
			mu.Unlock()
		}
		return nil
	}
	res, err := w.runWith(t, context.Background(), Job{Name: "hooks", Component: fork("echo x > ${{outputs.out}}/x", "echo y > ${{outputs.out}}/x")}, opts)
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, res.Error)
	}
	if c := step(t, res, "c"); c.StartedAt.Before(aHookDone) {
		t.Errorf("c started %v, before a's hook returned %v", c.StartedAt, aHookDone)
	}
	slices.Sort(hooked)
	if !slices.Equal(hooked, []string{"a", "b", "c"}) {
		t.Errorf("hooks ran for %v, want a, b, c", hooked)
	}
}

// TestAfterStepErrorFailsTheStep: a hook's error fails its step, so the
// job fails and the step's dependents never run.
func TestAfterStepErrorFailsTheStep(t *testing.T) {
	w := newWorkspace(t)
	opts := w.options()
	opts.AfterStep = func(ctx context.Context, s StepRun) error {
		if s.Path == "a" {
			return errors.New("publish output out: the account refused the write")
		}
		return nil
	}
	res, err := w.runWith(t, context.Background(), Job{Name: "hookfail", Component: fork("echo x > ${{outputs.out}}/x", "echo y > ${{outputs.out}}/x")}, opts)
	if err == nil || res.Status != StatusFailed {
		t.Fatalf("Run = %v, %v; want Failed", res.Status, err)
	}
	a := step(t, res, "a")
	if a.Status != StatusFailed || a.Error != "publish output out: the account refused the write" {
		t.Errorf("a = %s (%s)", a.Status, a.Error)
	}
	if c := step(t, res, "c"); c.Status != StatusSkipped {
		t.Errorf("c = %s, want Skipped", c.Status)
	}
	if got := w.statuses("a"); !slices.Equal(got, []Status{StatusRunning, StatusFailed}) {
		t.Errorf("a reported %v, want Running then Failed", got)
	}
}
