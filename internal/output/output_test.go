package output

import (
	"bytes"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

var job = map[string]any{
	"name": "batchjob-1",
	"id":   "/subscriptions/s/jobs/batchjob-1",
	"properties": map[string]any{
		"status":        "Running",
		"miniBatchSize": 10,
		"isLocal":       false,
	},
	"tags":  []string{"a", "b"},
	"count": 3,
	"ok":    true,
	"none":  nil,
	"html":  "<a&b>",
}

func TestWrite(t *testing.T) {
	list := []any{
		map[string]any{"name": "ep1", "status": "Succeeded", "n": 1},
		map[string]any{"name": "endpoint-two", "status": "Failed", "n": 22},
	}
	tests := []struct {
		name string
		v    any
		opts Options
		want string
	}{
		{"query name tsv prints the bare name", job, Options{Format: "tsv", Query: "name"}, "batchjob-1\n"},
		{"query nested tsv", job, Options{Format: "tsv", Query: "properties.status"}, "Running\n"},
		{"query selecting nothing prints nothing", job, Options{Query: "nope"}, ""},
		{"json is sorted with two-space indent and no HTML escaping", map[string]any{"b": 1, "a": "<x>"}, Options{}, "{\n  \"a\": \"<x>\",\n  \"b\": 1\n}\n"},
		{"json string from query", job, Options{Query: "name"}, "\"batchjob-1\"\n"},
		{"tsv of object: sorted values, list as length, dict empty, None", map[string]any{"b": []any{1, 2}, "a": "x", "c": map[string]any{}, "d": nil, "e": true, "f": 0.5}, Options{Format: "tsv"}, "x\t2\t\tNone\tTrue\t0.5\n"},
		{"tsv of list of objects", list, Options{Format: "tsv"}, "1\tep1\tSucceeded\n22\tendpoint-two\tFailed\n"},
		{"tsv keeps multiselect hash order", list, Options{Format: "tsv", Query: "[].{s: status, name: name}"}, "Succeeded\tep1\nFailed\tendpoint-two\n"},
		{"tsv bare bool is lower-case", true, Options{Format: "tsv"}, "true\n"},
		{"tsv list projection", list, Options{Format: "tsv", Query: "[].name"}, "ep1\nendpoint-two\n"},
		{"jq string is raw", job, Options{JQ: ".name"}, "batchjob-1\n"},
		{"jq object is json", job, Options{JQ: ".properties | {status}"}, "{\n  \"status\": \"Running\"\n}\n"},
		{"jq several results", list, Options{JQ: ".[].name"}, "ep1\nendpoint-two\n"},
		{"jsonl prints one compact line per item", list, Options{Format: "jsonl", Query: "[].{name: name}"}, "{\"name\":\"ep1\"}\n{\"name\":\"endpoint-two\"}\n"},
		{"none prints nothing", job, Options{Format: "none"}, ""},
		{"table: scalar fields, sorted, id skipped, numbers right-aligned", list, Options{Format: "table"},
			"  N  Name          Status\n---  ------------  ---------\n  1  ep1           Succeeded\n 22  endpoint-two  Failed\n"},
		{"table keeps query order", list, Options{Format: "table", Query: "[].{Status: status, Name: name}"},
			"Status     Name\n---------  ------------\nSucceeded  ep1\nFailed     endpoint-two\n"},
		{"yaml", map[string]any{"b": []any{"x"}, "a": 1}, Options{Format: "yaml"}, "a: 1\nb:\n  - x\n"},
		{"jsonc without a terminal is plain json", map[string]any{"a": 1}, Options{Format: "jsonc"}, "{\n  \"a\": 1\n}\n"},
		{"jsonc on a terminal is colored", map[string]any{"a": "x"}, Options{Format: "jsonc", Color: true}, "{\n  \x1b[94m\"a\"\x1b[0m: \x1b[33m\"x\"\x1b[0m\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.v, tt.opts); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestValidateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		mentions string
	}{
		{"unknown format", Options{Format: "xml"}, "--output"},
		{"query and jq", Options{Query: "a", JQ: ".a"}, "--query and --jq"},
		{"bad jmespath", Options{Query: "[?"}, "--query"},
		{"bad jq", Options{JQ: ".a |"}, "--jq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if err == nil {
				t.Fatal("want an error")
			}
			if !clierr.IsUsage(err) {
				t.Errorf("want a usage error (exit 2), got %T", err)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tt.mentions)) {
				t.Errorf("error %q does not mention %q", err, tt.mentions)
			}
		})
	}
}

func TestTableWithoutScalarsIsAnError(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, map[string]any{"a": map[string]any{"b": 1}}, Options{Format: "table"})
	if err == nil {
		t.Fatal("want an error for a table with no scalar columns")
	}
}
