package batchrun

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// resolvePython finds the interpreter: the deployment's, else $ML_LOCAL_PYTHON,
// else python3 on PATH.
func resolvePython(configured string) (string, error) {
	name, source := configured, "the deployment's Python setting"
	if name == "" {
		name, source = os.Getenv(PythonEnvVar), PythonEnvVar
	}
	if name == "" {
		name, source = DefaultPython, "the default"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("Python interpreter %q (from %s) not found: %v; install Python 3 or set %s to the interpreter's path", name, source, err, PythonEnvVar)
	}
	// Workers run in the code folder, so a relative path must not stay relative.
	return filepath.Abs(path)
}

// ResolvePython finds the interpreter the runtime uses, as an absolute
// path: configured, else $ML_LOCAL_PYTHON, else python3 on PATH. The
// pipeline engine uses it so every local step sees the same Python.
func ResolvePython(configured string) (string, error) { return resolvePython(configured) }

// workerEnv is the environment of every worker: the caller's, then Azure's
// variables, then the deployment's environment_variables (which win).
func workerEnv(s settings, modelDir string) []string {
	env := append(os.Environ(),
		"AZUREML_MODEL_DIR="+modelDir,
		"AZUREML_BI_OUTPUT_PATH="+s.outputDir,
		"AZUREML_LOG_LEVEL="+pythonLogLevel(s.loggingLevel),
		"PYTHONUNBUFFERED=1",
		// Keep __pycache__ out of the deployment's code folder.
		"PYTHONDONTWRITEBYTECODE=1",
	)
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+s.env[k])
	}
	return env
}

// driverArgs is the interpreter's command line for one worker.
func driverArgs(s settings, driverPath string) []string {
	return []string{
		"-u", driverPath,
		"--cmd-fd", "3",
		"--event-fd", "4",
		"--code-dir", s.codeDir,
		"--scoring-script", s.scoringScript,
		"--output-action", s.outputAction,
		"--logging-level", s.loggingLevel,
	}
}

func pythonLogLevel(level string) string {
	switch level {
	case "Debug":
		return "DEBUG"
	case "Warning":
		return "WARNING"
	}
	return "INFO"
}
