package batchrun

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// heartDir is the repository's heart-disease demo.
var heartDir = filepath.Join("..", "..", "testdata", "heart")

// heartDeploymentYAML is the part of deployment.yml the runtime needs.
type heartDeploymentYAML struct {
	Type  string `yaml:"type"`
	Model struct {
		Name string `yaml:"name"`
		Path string `yaml:"path"`
	} `yaml:"model"`
	CodeConfiguration struct {
		Code          string `yaml:"code"`
		ScoringScript string `yaml:"scoring_script"`
	} `yaml:"code_configuration"`
	Resources struct {
		InstanceCount int `yaml:"instance_count"`
	} `yaml:"resources"`
	Settings struct {
		MaxConcurrencyPerInstance int    `yaml:"max_concurrency_per_instance"`
		MiniBatchSize             int    `yaml:"mini_batch_size"`
		OutputAction              string `yaml:"output_action"`
		OutputFileName            string `yaml:"output_file_name"`
		RetrySettings             struct {
			MaxRetries int `yaml:"max_retries"`
			Timeout    int `yaml:"timeout"`
		} `yaml:"retry_settings"`
		ErrorThreshold int    `yaml:"error_threshold"`
		LoggingLevel   string `yaml:"logging_level"`
	} `yaml:"settings"`
}

// heartDeployment reads testdata/heart/deployment.yml into a Deployment, as
// the local workspace does for a registered batch deployment.
func heartDeployment(t *testing.T) Deployment {
	t.Helper()
	var y heartDeploymentYAML
	if err := yaml.Unmarshal([]byte(readText(t, filepath.Join(heartDir, "deployment.yml"))), &y); err != nil {
		t.Fatalf("deployment.yml: %v", err)
	}
	if y.Type != "model" {
		t.Fatalf("deployment.yml type = %q, want model", y.Type)
	}
	return Deployment{
		CodeDir:                   filepath.Join(heartDir, y.CodeConfiguration.Code),
		ScoringScript:             y.CodeConfiguration.ScoringScript,
		ModelDir:                  filepath.Join(heartDir, y.Model.Path),
		ModelName:                 y.Model.Name,
		MiniBatchSize:             y.Settings.MiniBatchSize,
		InstanceCount:             y.Resources.InstanceCount,
		MaxConcurrencyPerInstance: y.Settings.MaxConcurrencyPerInstance,
		MaxRetries:                new(y.Settings.RetrySettings.MaxRetries),
		Timeout:                   time.Duration(y.Settings.RetrySettings.Timeout) * time.Second,
		ErrorThreshold:            new(y.Settings.ErrorThreshold),
		OutputAction:              y.Settings.OutputAction,
		OutputFileName:            y.Settings.OutputFileName,
		LoggingLevel:              y.Settings.LoggingLevel,
	}
}

// heartInput is the path of the uri_folder data asset in heart-dataset-unlabeled.yml.
func heartInput(t *testing.T) string {
	t.Helper()
	var y struct {
		Type string `yaml:"type"`
		Path string `yaml:"path"`
	}
	if err := yaml.Unmarshal([]byte(readText(t, filepath.Join(heartDir, "heart-dataset-unlabeled.yml"))), &y); err != nil {
		t.Fatalf("heart-dataset-unlabeled.yml: %v", err)
	}
	if y.Type != "uri_folder" {
		t.Fatalf("heart-dataset-unlabeled.yml type = %q, want uri_folder", y.Type)
	}
	return filepath.Join(heartDir, y.Path)
}

func TestHeartDemoPredictions(t *testing.T) {
	d := heartDeployment(t)
	res, err, rec := runJob(t, d, newJob(t, heartInput(t)))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertStatuses(t, rec, StatusNotStarted, StatusPreparing, StatusRunning, StatusFinalizing, StatusCompleted)
	// 4 files in mini-batches of 2, on 1 instance × 2 processes.
	if res.MiniBatchesTotal != 2 || res.MiniBatchesSucceeded != 2 || res.Workers != 2 || res.ItemsTotal != 4 || res.ItemsFailed != 0 {
		t.Errorf("progress = %+v, want 2 mini-batches on 2 workers, 4 items, none failed", res.Progress)
	}

	got := readText(t, res.OutputFile)
	want := readText(t, filepath.Join(heartDir, "expected_predictions.csv"))
	if got != want {
		t.Errorf("%s differs from expected_predictions.csv:\n%s", res.OutputFile, firstDifference(got, want))
	}
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != 303 || res.RowsWritten != 303 {
		t.Fatalf("got %d rows (RowsWritten %d), want one per input row: 303", len(lines), res.RowsWritten)
	}

	// Predictions are in input order, so line i is labeled row i.
	labels := heartLabels(t)
	correct := 0
	for i, line := range lines {
		fields := strings.Fields(line)
		if len(fields) != 4 || (fields[2] != "0" && fields[2] != "1") {
			t.Fatalf("row %d = %q, want 'file index prediction probability'", i, line)
		}
		if p, err := strconv.ParseFloat(fields[3], 64); err != nil || p < 0 || p > 1 {
			t.Fatalf("row %d probability %q is not in [0, 1]", i, fields[3])
		}
		if (fields[2] == "1") == labels[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(len(lines)); acc < 0.8 {
		t.Errorf("accuracy against the labels = %.3f, want at least 0.8", acc)
	}

	logs := res.LogsDir
	if overview := readText(t, filepath.Join(logs, "job_progress_overview.txt")); !strings.Contains(overview, "Status: Completed") ||
		!strings.Contains(overview, "Processed mini-batches: 2 (succeeded 2, failed 0)") {
		t.Errorf("job_progress_overview.txt =\n%s", overview)
	}
	stdout := readText(t, filepath.Join(logs, "user", "stdout", "0", "process000.stdout.txt")) +
		readText(t, filepath.Join(logs, "user", "stdout", "0", "process001.stdout.txt"))
	if strings.Count(stdout, "run method start") != 2 || !strings.Contains(stdout, "loaded heart-logistic-regression/1") {
		t.Errorf("worker stdout logs lack the script's prints and logging:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(logs, "user", "error.txt")); !os.IsNotExist(err) {
		t.Errorf("logs/user/error.txt exists for a job without errors:\n%s", readText(t, filepath.Join(logs, "user", "error.txt")))
	}
}

// heartLabels reads whether each labeled row has heart disease (target > 0).
func heartLabels(t *testing.T) []bool {
	t.Helper()
	f, err := os.Open(filepath.Join(heartDir, "data", "labeled", "heart.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 304 || records[0][13] != "target" {
		t.Fatalf("heart.csv has %d lines and header %v, want 303 rows with target last", len(records), records[0])
	}
	var labels []bool
	for _, r := range records[1:] {
		labels = append(labels, r[13] != "0")
	}
	return labels
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ": got " + strconv.Quote(gl) + ", want " + strconv.Quote(wl)
		}
	}
	return "no line differs"
}

func TestHeartTrainReproducesModel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model.json")
	cmd := exec.Command("python3", filepath.Join(heartDir, "train.py"), "--out", out)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("train.py: %v\n%s", err, msg)
	}
	var got, want any
	for path, v := range map[string]*any{out: &got, filepath.Join(heartDir, "model", "model.json"): &want} {
		if err := json.Unmarshal([]byte(readText(t, path)), v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if diff := jsonDiff("", got, want); diff != "" {
		t.Errorf("train.py output differs from the committed model/model.json: %s", diff)
	}
}

// jsonDiff compares decoded JSON, numbers within a relative 1e-9 (libm may
// differ in the last bits between machines).
func jsonDiff(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return path + ": objects differ in shape"
		}
		for k := range w {
			if d := jsonDiff(path+"."+k, g[k], w[k]); d != "" {
				return d
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + ": arrays differ in length"
		}
		for i := range w {
			if d := jsonDiff(path+"["+strconv.Itoa(i)+"]", g[i], w[i]); d != "" {
				return d
			}
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return path + ": got " + strconv.FormatFloat(g, 'g', -1, 64) + ", want " + strconv.FormatFloat(w, 'g', -1, 64)
		}
	default:
		if got != want {
			return path + ": values differ"
		}
	}
	return ""
}
