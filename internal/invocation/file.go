package invocation

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// FileSpec is a decoded --file: the keys az reads (deployment, inputs,
// outputs, endpoint) plus ml's own job_name, experiment_name and settings.
// Literal values are canonical (as az sends them) and inputs and outputs are
// sorted by name. Paths are kept as written; relative local paths are
// relative to the working directory, as in az, not to the file.
type FileSpec struct {
	// Filename is the file as named on the command line, used in errors.
	Filename string
	// Endpoint, Deployment, JobName and ExperimentName are empty when absent.
	Endpoint       string
	Deployment     string
	JobName        string
	ExperimentName string
	Inputs         []Input
	Outputs        []Output
	// Settings has nil fields for the settings the file does not set.
	Settings Settings

	// lines maps "inputs.<name>" and "outputs.<name>" to the line that
	// defines them, for errors Build finds after merging --set.
	lines map[string]int
}

// origin names where an input or output of the file was defined
// ("invoke.yml:7"), or the file alone when unknown.
func (s *FileSpec) origin(key string) string {
	if line, ok := s.lines[key]; ok {
		return fmt.Sprintf("%s:%d", s.Filename, line)
	}
	return s.Filename
}

var (
	topLevelKeys   = []string{"deployment", "endpoint", "job_name", "experiment_name", "inputs", "outputs", "settings", "$schema"}
	dataInputKeys  = []string{"type", "path", "mode"}
	numberKeys     = []string{"type", "default", "value", "min", "max"}
	plainLitKeys   = []string{"type", "default", "value"}
	outputKeys     = []string{"type", "path", "mode"}
	settingsKeys   = []string{KeyMiniBatchSize, KeyInstanceCount, "compute", KeyOutputFileName, KeyErrorThreshold, "retry_settings", KeyLoggingLevel}
	retryKeys      = []string{"max_retries", "timeout"}
	computeKeys    = []string{"instance_count"}
	inputTypesText = strings.Join(inputTypeNames, ", ")
)

// LoadFile reads and decodes the --file at path ("-" reads stdin, until
// ctx ends), within yamlnode's limits.
func LoadFile(ctx context.Context, path string, stdin io.Reader) (*FileSpec, error) {
	data, err := yamlnode.ReadFile(ctx, path, stdin)
	if err != nil {
		return nil, err
	}
	if path == yamlnode.Stdin {
		path = yamlnode.StdinName
	}
	return DecodeFile(path, data)
}

// DecodeFile decodes a --file strictly: an unknown key, a duplicate key or
// a value of the wrong type is a clierr.UsageError "FILE:LINE: ..." naming
// the key, and so is every shape az would crash on (a dict input without
// type, a literal without default). filename is used in errors only.
func DecodeFile(filename string, data []byte) (*FileSpec, error) {
	r := nodeReader{file: filename}
	root, second, err := yamlnode.Document(filename, data)
	switch {
	case err != nil:
		return nil, err
	case second != nil:
		return nil, r.errf(second, "a second YAML document; put everything in one document")
	case root == nil:
		return nil, clierr.Usagef("%s: the file is empty; expected a mapping with inputs:, outputs:, deployment: ...", filename)
	}
	d := fileDecoder{nodeReader: r, spec: &FileSpec{Filename: filename, lines: map[string]int{}}}
	pairs, err := d.mapping(root, "the file", "a mapping with inputs:, outputs:, deployment: ...")
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if err := d.topLevel(p); err != nil {
			return nil, err
		}
	}
	sort.Slice(d.spec.Inputs, func(i, j int) bool { return d.spec.Inputs[i].Name < d.spec.Inputs[j].Name })
	sort.Slice(d.spec.Outputs, func(i, j int) bool { return d.spec.Outputs[i].Name < d.spec.Outputs[j].Name })
	return d.spec, nil
}

type fileDecoder struct {
	nodeReader
	spec *FileSpec
}

func (d *fileDecoder) topLevel(p yamlnode.Pair) error {
	var err error
	switch p.Key {
	case "$schema":
		// Editors add it to Azure ML YAML files; it means nothing here.
	case "endpoint":
		d.spec.Endpoint, err = d.text(p.Value, "endpoint")
	case "deployment":
		d.spec.Deployment, err = d.text(p.Value, "deployment")
	case "job_name":
		d.spec.JobName, err = d.text(p.Value, "job_name")
	case "experiment_name":
		d.spec.ExperimentName, err = d.text(p.Value, "experiment_name")
	case "inputs":
		err = d.inputs(p.Value)
	case "outputs":
		err = d.outputs(p.Value)
	case "settings":
		err = d.settings(p.Value)
	default:
		err = d.unknownKey(p, "at the top level", topLevelKeys)
	}
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
