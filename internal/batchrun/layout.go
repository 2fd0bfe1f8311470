package batchrun

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlbatch/ml/internal/rotree"
)

// driverSource is the Python worker driver, written to the job folder at run
// time so the binary stays self-contained.
//
//go:embed driver.py
var driverSource []byte

// layout names the files of a job folder (see the package doc).
type layout struct {
	jobDir string
}

func (l layout) logsDir() string        { return filepath.Join(l.jobDir, "logs") }
func (l layout) overviewFile() string   { return filepath.Join(l.logsDir(), "job_progress_overview.txt") }
func (l layout) masterRoleFile() string { return filepath.Join(l.logsDir(), "sys", "master_role.txt") }
func (l layout) userErrorFile() string  { return filepath.Join(l.logsDir(), "user", "error.txt") }
func (l layout) driverFile() string     { return filepath.Join(l.jobDir, "driver", "batchrun_driver.py") }

func (l layout) inputsDir() string { return filepath.Join(l.jobDir, "inputs") }

func (l layout) modelDir(name, version string) string {
	return filepath.Join(l.jobDir, "azureml-models", name, version)
}

// workerID places worker w of a job with concurrency workers per instance:
// node is its instance index, process its index within the instance.
type workerID struct{ node, process int }

func newWorkerID(w, concurrency int) workerID {
	return workerID{node: w / concurrency, process: w % concurrency}
}

func (id workerID) String() string { return fmt.Sprintf("%d/process%03d", id.node, id.process) }

func (l layout) workerFile(kind string, id workerID, suffix string) string {
	return filepath.Join(l.logsDir(), "user", kind, fmt.Sprint(id.node), fmt.Sprintf("process%03d%s", id.process, suffix))
}

func (l layout) stdoutFile(id workerID) string { return l.workerFile("stdout", id, ".stdout.txt") }
func (l layout) stderrFile(id workerID) string { return l.workerFile("stderr", id, ".stderr.txt") }
func (l layout) errorFile(id workerID) string  { return l.workerFile("error", id, ".txt") }

func (l layout) nodeFile(id workerID) string {
	return filepath.Join(l.logsDir(), "sys", "node", fmt.Sprint(id.node), fmt.Sprintf("process%03d.txt", id.process))
}

// prepare creates the job folder, the output folder and the worker driver.
func (l layout) prepare(s settings) error {
	dirs := []string{
		s.outputDir,
		filepath.Join(l.logsDir(), "sys", "node"),
		filepath.Join(l.logsDir(), "user", "stdout"),
		filepath.Join(l.logsDir(), "user", "stderr"),
		filepath.Join(l.logsDir(), "user", "error"),
		filepath.Dir(l.driverFile()),
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create job folder: %w", err)
		}
	}
	if err := os.WriteFile(l.driverFile(), driverSource, 0o600); err != nil {
		return fmt.Errorf("write worker driver: %w", err)
	}
	return nil
}

// copyCode copies the deployment's code folder into the job folder and
// returns the copy, where the workers run: Azure runs a scoring script in a
// snapshot of its code, so what a script writes next to itself (a cache, a
// temporary file) stays in the job, never in the registered code.
func (l layout) copyCode(src string) (string, error) {
	dst := filepath.Join(l.jobDir, "code")
	// A job folder that is run again may still hold an earlier copy.
	if err := os.RemoveAll(dst); err != nil {
		return "", fmt.Errorf("replace the job's copy of the code: %w", err)
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return "", fmt.Errorf("copy code %s into the job folder: %w", src, err)
	}
	return dst, nil
}

// prepareModel creates AZUREML_MODEL_DIR, a read-only tree (package
// rotree), and returns it.
func (l layout) prepareModel(s settings, ml rotree.Builder, log *lineLog) (string, error) {
	modelDir := l.modelDir(s.modelName, s.modelVersion)
	// A job folder that is run again may still hold an earlier tree.
	if err := rotree.Remove(modelDir); err != nil {
		return "", fmt.Errorf("replace AZUREML_MODEL_DIR: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(modelDir), 0o700); err != nil {
		return "", fmt.Errorf("create AZUREML_MODEL_DIR: %w", err)
	}
	if err := os.Mkdir(modelDir, 0o700); err != nil {
		return "", fmt.Errorf("create AZUREML_MODEL_DIR: %w", err)
	}
	if s.modelDir != "" {
		// Azure mounts the registered model under its own file or folder name.
		st, err := ml.Build(s.modelDir, filepath.Join(modelDir, filepath.Base(s.modelDir)))
		if err != nil {
			return "", fmt.Errorf("AZUREML_MODEL_DIR: %w", err)
		}
		log.printf("AZUREML_MODEL_DIR %s holds %s: %s", modelDir, s.modelDir, st)
	}
	if err := os.Chmod(modelDir, rotree.DirMode); err != nil {
		return "", fmt.Errorf("make AZUREML_MODEL_DIR read-only: %w", err)
	}
	return modelDir, nil
}

// prepareInputs makes a read-only view of each input under
// <job>/inputs/<index>/<name of the file or folder> (package rotree) and
// returns the views, in the inputs' order: Azure mounts a batch job's
// inputs read-only, so a script that opens a mini-batch file for writing
// fails there, and must fail here too instead of changing the data on the
// datastore behind the job's back.
func (l layout) prepareInputs(inputs []string, b rotree.Builder, log *lineLog) ([]string, error) {
	root := l.inputsDir()
	// A job folder that is run again may still hold earlier views.
	if err := rotree.Remove(root); err != nil {
		return nil, fmt.Errorf("replace the job's inputs folder: %w", err)
	}
	views := make([]string, len(inputs))
	for i, input := range inputs {
		src, err := filepath.Abs(input)
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(root, fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create the job's inputs folder: %w", err)
		}
		views[i] = filepath.Join(dir, filepath.Base(src))
		st, err := b.Build(src, views[i])
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", input, err)
		}
		if err := os.Chmod(dir, rotree.DirMode); err != nil {
			return nil, fmt.Errorf("make the view of input %s read-only: %w", input, err)
		}
		log.printf("input %s is read-only at %s: %s", input, views[i], st)
	}
	return views, nil
}

// removeInputs deletes the input views when the job has ended, as Azure
// unmounts them.
func (l layout) removeInputs() error { return rotree.Remove(l.inputsDir()) }

// removeModelDir deletes AZUREML_MODEL_DIR when the job has ended, as
// Azure unmounts the model: the job folder then pins no model files.
func (l layout) removeModelDir(s settings) error {
	dir := l.modelDir(s.modelName, s.modelVersion)
	if err := rotree.Remove(dir); err != nil {
		return err
	}
	// azureml-models/<name> and azureml-models, when nothing else is there.
	for _, parent := range []string{filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		_ = os.Remove(parent)
	}
	return nil
}
