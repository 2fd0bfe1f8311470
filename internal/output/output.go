// Package output renders command results the way az does: -o json (sorted
// keys, two-space indent), jsonc, yaml, yamlc, table, tsv and none, after an
// optional JMESPath --query; or through a jq program (--jq, gojq). Results
// are first turned into plain JSON values so every format sees the same data.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	jmespath "github.com/jmespath-community/go-jmespath"

	"github.com/mlbatch/ml/internal/clierr"
)

// Formats lists the values -o/--output accepts: az's, plus jsonl (JSON
// Lines: one compact object per list item, or per event with --stream).
var Formats = []string{"json", "jsonc", "yaml", "yamlc", "table", "tsv", "none", "jsonl"}

// Options choose how a result is printed.
type Options struct {
	Format string // one of Formats; "" means json
	Query  string // JMESPath, as az's --query
	JQ     string // jq program, as gh's --jq; exclusive with Query
	Color  bool   // jsonc/yamlc colorize only when set (a terminal)
}

// Validate checks the options before any work is done, so a typo in -o or
// --query fails fast with exit code 2.
func (o Options) Validate() error {
	if o.Query != "" && o.JQ != "" {
		return clierr.Usagef("--query and --jq cannot be used together; keep one (--query takes JMESPath like az, --jq takes jq)")
	}
	if o.Format != "" && !validFormat(o.Format) {
		return clierr.Usagef("--output: %q is not a format; use one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.Query != "" {
		if _, err := jmespath.Compile(o.Query); err != nil {
			return clierr.Usagef("--query: %q is not a valid JMESPath expression: %v", o.Query, err)
		}
	}
	if o.JQ != "" {
		if _, err := gojq.Parse(o.JQ); err != nil {
			return clierr.Usagef("--jq: %q is not a valid jq program: %v", o.JQ, err)
		}
	}
	return nil
}

func validFormat(f string) bool { return slices.Contains(Formats, f) }

// CheckFormat checks one -o/--output value as az's argparse checks a
// choice: each occurrence on its own, so an invalid one is refused even
// when a later -o is valid. A value that looks like a path or URI was meant
// as an output location, and the error says where that goes.
func CheckFormat(f string) error {
	if validFormat(f) {
		return nil
	}
	shown := f
	if i := strings.IndexByte(shown, '?'); i >= 0 {
		shown = shown[:i] + "?..." // a SAS query holds a signature
	}
	msg := fmt.Sprintf("argument --output/-o: invalid choice: %q (choose from %s)", shown, strings.Join(Formats, ", "))
	if strings.ContainsAny(f, `/\:.~`) {
		msg += "; -o is the format of the printed result. For where a job writes its output, use " +
			"--output-path azureml://datastores/<datastore>/paths/<path> or --set outputs.<name>.path=<uri> " +
			"(batch-endpoint invoke); for where files are downloaded, --download-path (job download)"
	}
	return clierr.Usagef("%s", msg)
}

// Write renders v to w. v may be any value that encodes to JSON.
func Write(w io.Writer, v any, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	data, err := toPlain(v)
	if err != nil {
		return err
	}
	if o.JQ != "" {
		return writeJQ(w, data, o.JQ)
	}
	var order keyOrder
	if o.Query != "" {
		parsed, err := jmespath.NewParser().Parse(o.Query)
		if err != nil {
			return clierr.Usagef("--query: %v", err)
		}
		order = hashKeyOrder(parsed)
		data, err = jmespath.MustCompile(o.Query).Search(data)
		if err != nil {
			return fmt.Errorf("--query %q: %w", o.Query, err)
		}
		// az prints nothing when the query selects nothing.
		if data == nil {
			return nil
		}
	}
	switch o.Format {
	case "", "json":
		return writeJSON(w, data)
	case "jsonc":
		if o.Color {
			return writeJSONColor(w, data)
		}
		return writeJSON(w, data)
	case "yaml", "yamlc":
		return writeYAML(w, data, o.Format == "yamlc" && o.Color)
	case "table":
		return writeTable(w, data, order, o.Query != "")
	case "tsv":
		return writeTSV(w, data, order)
	case "jsonl":
		return writeJSONLines(w, data)
	case "none":
		return nil
	}
	return clierr.Usagef("--output: %q is not a format; use one of %s", o.Format, strings.Join(Formats, ", "))
}

// toPlain turns any value into the generic JSON shapes (map[string]any,
// []any, string, float64, bool, nil) that JMESPath and jq operate on.
func toPlain(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return out, nil
}

// writeJSON matches az: sorted keys, two-space indent, UTF-8 kept as is.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeJSONLines prints each item of a list (or the one value) as compact
// JSON on its own line.
func writeJSONLines(w io.Writer, v any) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for _, item := range items {
		b, err := json.Marshal(item)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
			return err
		}
	}
	return nil
}

// writeJQ prints each result of the program on its own line: strings raw
// (so `--jq .name` gives the bare name), everything else as JSON.
func writeJQ(w io.Writer, v any, program string) error {
	q, err := gojq.Parse(program)
	if err != nil {
		return clierr.Usagef("--jq: %v", err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return clierr.Usagef("--jq: %v", err)
	}
	iter := code.Run(v)
	for {
		x, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := x.(error); isErr {
			return fmt.Errorf("--jq %q: %w", program, err)
		}
		if s, isStr := x.(string); isStr {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
			continue
		}
		if err := writeJSON(w, x); err != nil {
			return err
		}
	}
}
