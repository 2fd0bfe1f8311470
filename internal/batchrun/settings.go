package batchrun

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/clierr"
)

// settings is a Deployment and a Job with defaults applied, paths made
// absolute and every value checked.
type settings struct {
	jobName        string
	inputs         []string
	outputDir      string
	jobDir         string
	codeDir        string
	scoringScript  string // relative to codeDir, cleaned
	modelDir       string // "" when the deployment has no model
	modelName      string
	modelVersion   string
	builtinMLflow  bool   // no code: the built-in MLflow scoring script runs
	script         string // the scoring script, as messages name it
	miniBatchSize  int
	instanceCount  int
	concurrency    int // max_concurrency_per_instance
	attempts       int // 1 + max_retries
	maxRetries     int
	timeout        time.Duration
	startupTimeout time.Duration
	errorThreshold int
	outputAction   string
	outputFileName string
	loggingLevel   string
	env            map[string]string
	python         string // as configured; resolved to a path when workers start
}

// resolveSettings applies defaults and validates d and j. Every error is a
// clierr.UsageError that names the deployment key or job field and the fix.
func resolveSettings(d Deployment, j Job) (settings, error) {
	s := settings{
		jobName:        orDefault(j.Name, "batchjob"),
		modelName:      orDefault(d.ModelName, "model"),
		modelVersion:   orDefault(d.ModelVersion, DefaultModelVersion),
		miniBatchSize:  intOrDefault(d.MiniBatchSize, DefaultMiniBatchSize),
		instanceCount:  intOrDefault(d.InstanceCount, DefaultInstanceCount),
		concurrency:    intOrDefault(d.MaxConcurrencyPerInstance, DefaultMaxConcurrencyPerInstance),
		maxRetries:     DefaultMaxRetries,
		timeout:        durationOrDefault(d.Timeout, DefaultTimeout),
		startupTimeout: durationOrDefault(d.StartupTimeout, DefaultStartupTimeout),
		errorThreshold: DefaultErrorThreshold,
		outputFileName: orDefault(d.OutputFileName, DefaultOutputFileName),
		env:            d.EnvironmentVariables,
		python:         d.Python,
	}
	if d.MaxRetries != nil {
		s.maxRetries = *d.MaxRetries
	}
	if d.ErrorThreshold != nil {
		s.errorThreshold = *d.ErrorThreshold
	}
	s.attempts = s.maxRetries + 1

	checks := []struct {
		bad bool
		msg string
	}{
		{d.MiniBatchSize < 0, fmt.Sprintf("settings.mini_batch_size is %d; use a number of files of 1 or more", d.MiniBatchSize)},
		{d.InstanceCount < 0, fmt.Sprintf("resources.instance_count is %d; use 1 or more", d.InstanceCount)},
		{d.MaxConcurrencyPerInstance < 0, fmt.Sprintf("settings.max_concurrency_per_instance is %d; use 1 or more", d.MaxConcurrencyPerInstance)},
		{s.maxRetries < 0, fmt.Sprintf("settings.retry_settings.max_retries is %d; use 0 or more", s.maxRetries)},
		{d.Timeout < 0, fmt.Sprintf("settings.retry_settings.timeout is %s; use a positive duration", d.Timeout)},
		{d.StartupTimeout < 0, fmt.Sprintf("worker startup timeout is %s; use a positive duration", d.StartupTimeout)},
		{s.errorThreshold < -1, fmt.Sprintf("settings.error_threshold is %d; use -1 (ignore failures) or a number of files of 0 or more", s.errorThreshold)},
	}
	for _, c := range checks {
		if c.bad {
			return settings{}, clierr.Usagef("%s", c.msg)
		}
	}

	var err error
	if s.outputAction, err = normalizeOutputAction(d.OutputAction); err != nil {
		return settings{}, err
	}
	if s.loggingLevel, err = normalizeLoggingLevel(d.LoggingLevel); err != nil {
		return settings{}, err
	}
	if s.outputFileName != filepath.Base(s.outputFileName) || s.outputFileName == "." || s.outputFileName == ".." {
		return settings{}, clierr.Usagef("settings.output_file_name %q must be a plain file name such as predictions.csv, without folders", s.outputFileName)
	}
	if err := s.resolveCode(d); err != nil {
		return settings{}, err
	}
	if err := s.resolveModel(d); err != nil {
		return settings{}, err
	}
	if s.builtinMLflow && s.modelDir == "" {
		return settings{}, clierr.Usagef("an MLflow model deployed without code_configuration needs the model itself: set the model's path (its folder with the MLmodel file)")
	}
	if err := s.resolveJob(j); err != nil {
		return settings{}, err
	}
	return s, nil
}

func (s *settings) resolveCode(d Deployment) error {
	if d.CodeDir == "" && d.ScoringScript == "" && strings.EqualFold(d.ModelType, ModelTypeMLflow) {
		// Scored by the built-in script, which prepare writes to the job folder.
		s.builtinMLflow, s.script = true, "the built-in MLflow scoring script"
		return nil
	}
	if d.CodeDir == "" {
		return clierr.Usagef("code_configuration.code is empty; set it to the folder that holds the scoring script (only an MLflow model, model type %s, can be deployed without one)", ModelTypeMLflow)
	}
	if d.ScoringScript == "" {
		return clierr.Usagef("code_configuration.scoring_script is empty; set it to the scoring script's path inside %s", d.CodeDir)
	}
	codeDir, err := filepath.Abs(d.CodeDir)
	if err != nil {
		return clierr.Usagef("code_configuration.code %q: %v", d.CodeDir, err)
	}
	if info, err := os.Stat(codeDir); err != nil || !info.IsDir() {
		return clierr.Usagef("code_configuration.code %q is not a folder; point it at the folder that holds the scoring script", d.CodeDir)
	}
	script := filepath.Clean(d.ScoringScript)
	if filepath.IsAbs(script) || script == ".." || strings.HasPrefix(script, ".."+string(filepath.Separator)) {
		return clierr.Usagef("code_configuration.scoring_script %q must be a path inside code_configuration.code (%s)", d.ScoringScript, d.CodeDir)
	}
	if info, err := os.Stat(filepath.Join(codeDir, script)); err != nil || info.IsDir() {
		return clierr.Usagef("code_configuration.scoring_script %q not found in %s; check the file name", d.ScoringScript, d.CodeDir)
	}
	s.codeDir, s.scoringScript = codeDir, script
	s.script = "scoring script " + script
	return nil
}

func (s *settings) resolveModel(d Deployment) error {
	if d.ModelDir == "" {
		return nil
	}
	modelDir, err := filepath.Abs(d.ModelDir)
	if err != nil {
		return clierr.Usagef("model path %q: %v", d.ModelDir, err)
	}
	if _, err := os.Stat(modelDir); err != nil {
		return clierr.Usagef("model path %q does not exist; point model.path at the registered model's folder", d.ModelDir)
	}
	for name, value := range map[string]string{"model name": s.modelName, "model version": s.modelVersion} {
		if value != filepath.Base(value) || value == "." || value == ".." {
			return clierr.Usagef("%s %q must not contain path separators", name, value)
		}
	}
	s.modelDir = modelDir
	return nil
}

func (s *settings) resolveJob(j Job) error {
	if len(j.Inputs) == 0 {
		return clierr.Usagef("the job has no input; give one local file or folder")
	}
	if j.OutputDir == "" {
		return clierr.Usagef("the job has no output folder; set the job's output directory")
	}
	if j.JobDir == "" {
		return clierr.Usagef("the job has no job folder for its logs; set the job directory")
	}
	var err error
	if s.outputDir, err = filepath.Abs(j.OutputDir); err != nil {
		return clierr.Usagef("output folder %q: %v", j.OutputDir, err)
	}
	if s.jobDir, err = filepath.Abs(j.JobDir); err != nil {
		return clierr.Usagef("job folder %q: %v", j.JobDir, err)
	}
	s.inputs = j.Inputs
	return nil
}

// workers is how many worker processes the job runs for n mini-batches:
// instance_count × max_concurrency_per_instance, never more than n.
func (s settings) workers(n int) int {
	return max(0, min(s.instanceCount*s.concurrency, n))
}

func normalizeOutputAction(v string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(v, "_", "")) {
	case "", "appendrow":
		return OutputAppendRow, nil
	case "summaryonly":
		return OutputSummaryOnly, nil
	}
	return "", clierr.Usagef("settings.output_action %q is not supported; use append_row or summary_only", v)
}

func normalizeLoggingLevel(v string) (string, error) {
	switch strings.ToLower(v) {
	case "", "info":
		return "Info", nil
	case "warning":
		return "Warning", nil
	case "debug":
		return "Debug", nil
	}
	return "", clierr.Usagef("settings.logging_level %q is not supported; use Info, Warning or Debug", v)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func intOrDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func durationOrDefault(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}
