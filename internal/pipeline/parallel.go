package pipeline

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlbatch/ml/internal/batchrun"
)

// A parallel step runs its entry script through the batch runtime
// (internal/batchrun): the files of its input_data cut into mini-batches,
// init() and run(mini_batch) in Python workers, retries, timeouts and the
// error threshold, and with append_row_to the rows in
// parallel_run_step.txt of that output. Its logs are the runtime's
// (logs/...) in the step's job folder, and user_logs/std_log.txt sums up
// how it went.

// checkParallel resolves a parallel step's input_data and append_row_to.
func checkParallel(n *node, lookup portLookup) error {
	t := n.comp.Parallel
	switch {
	case t == nil:
		return fmt.Errorf("parallel component %s has no task", nameOf(n.comp))
	case strings.TrimSpace(t.EntryScript) == "":
		return fmt.Errorf("parallel component %s has no task.entry_script", nameOf(n.comp))
	case n.comp.CodeDir == "":
		return fmt.Errorf("parallel component %s has no task.code folder", nameOf(n.comp))
	case strings.TrimSpace(t.ProgramArguments) != "":
		return fmt.Errorf("parallel component %s sets task.program_arguments, which the local runtime does not pass to the entry script yet; read the values from environment_variables instead", nameOf(n.comp))
	}
	kind, name, ok := portRef(t.InputData)
	if !ok || kind != "inputs" {
		return fmt.Errorf("parallel component %s: input_data %q must be ${{inputs.<name>}}", nameOf(n.comp), t.InputData)
	}
	in, set, err := lookup(kind, name)
	switch {
	case err != nil:
		return err
	case !set:
		return fmt.Errorf("parallel component %s reads its mini-batches from input %s, which is not set", nameOf(n.comp), name)
	case n.run.Inputs[name].Path == "":
		return fmt.Errorf("parallel component %s reads its mini-batches from input %s, which is a literal, not data", nameOf(n.comp), name)
	}
	n.parallelInput = in
	if strings.TrimSpace(t.AppendRowTo) != "" {
		kind, name, ok := portRef(t.AppendRowTo)
		if !ok || kind != "outputs" {
			return fmt.Errorf("parallel component %s: append_row_to %q must be ${{outputs.<name>}}", nameOf(n.comp), t.AppendRowTo)
		}
		if n.parallelOutput, _, err = lookup(kind, name); err != nil {
			return err
		}
	}
	return nil
}

// portRef parses a lone ${{inputs.x}} or ${{outputs.y}}.
func portRef(s string) (kind, name string, ok bool) {
	m := exprPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || m[0] != strings.TrimSpace(s) {
		return "", "", false
	}
	pm := portRefPattern.FindStringSubmatch(m[1])
	if pm == nil {
		return "", "", false
	}
	return pm[1], pm[2], true
}

func (p *plan) runParallel(ctx context.Context, n *node, env stepEnv) finished {
	t := n.comp.Parallel
	fail := func(err error) finished { return finished{status: StatusFailed, exitCode: -1, err: err.Error()} }
	if err := os.MkdirAll(filepath.Join(n.run.Dir, "user_logs"), 0o700); err != nil {
		return fail(fmt.Errorf("create the step's job folder: %w", err))
	}
	for _, name := range sortedKeys(n.run.Outputs) {
		if err := os.MkdirAll(n.run.Outputs[name], 0o700); err != nil {
			return fail(fmt.Errorf("create the folder of output %s: %w", name, err))
		}
	}
	outDir, action := n.parallelOutput, batchrun.OutputAppendRow
	if outDir == "" {
		// summary_only still gives the script AZUREML_BI_OUTPUT_PATH.
		outDir, action = filepath.Join(n.run.Dir, "wd", "outputs"), batchrun.OutputSummaryOnly
	}
	vars := maps.Clone(n.env)
	if vars == nil {
		vars = map[string]string{}
	}
	vars["PATH"] = env.path
	vars["AZUREML_RUN_ID"] = n.run.Job
	vars["AZUREML_ROOT_RUN_ID"] = p.job.Name
	d := batchrun.Deployment{
		CodeDir:                   n.comp.CodeDir,
		ScoringScript:             t.EntryScript,
		MiniBatchSize:             t.MiniBatchSize,
		InstanceCount:             t.InstanceCount,
		MaxConcurrencyPerInstance: t.MaxConcurrencyPerInstance,
		MaxRetries:                t.MaxRetries,
		Timeout:                   t.Timeout,
		ErrorThreshold:            t.ErrorThreshold,
		OutputAction:              action,
		OutputFileName:            firstNonEmpty(t.OutputFileName, DefaultParallelOutputFileName),
		LoggingLevel:              t.LoggingLevel,
		EnvironmentVariables:      vars,
		Python:                    env.python,
	}
	j := batchrun.Job{Name: n.run.Job, Inputs: []string{n.parallelInput}, OutputDir: outDir, JobDir: n.run.Dir}
	res, err := batchrun.Run(ctx, d, j, nil)
	summary := res.Message
	if err != nil {
		summary = err.Error()
	}
	log := openLineLog(filepath.Join(n.run.Dir, filepath.FromSlash(StdLog)))
	log.printf("parallel step %s: %s", displayPath(n.run.Path), summary)
	if res.OutputFile != "" {
		log.printf("%d rows appended to %s", res.RowsWritten, res.OutputFile)
	}
	log.close()
	if err != nil {
		return fail(fmt.Errorf("%s; see logs/user/error.txt of job %s", strings.TrimPrefix(err.Error(), "batch job Failed: "), n.run.Job))
	}
	return finished{status: StatusCompleted}
}
