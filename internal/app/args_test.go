package app

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/root"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// newTree is the command tree on a test factory with an empty environment.
func newTree() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return root.NewCmdRoot(&cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}})
}

func TestExpandArgs(t *testing.T) {
	sep := cmdutil.OccurrenceSep
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{name: "an Occurrences flag keeps each occurrence's tokens together",
			args: []string{"batch-endpoint", "invoke", "-n", "ep", "--set", "a", "b", "--set", "c=1", "--dry-run"},
			want: []string{"batch-endpoint", "invoke", "-n", "ep", "--set=a" + sep + "b", "--set=c=1", "--dry-run"}},
		{name: "a string-array nargs+ flag gets one flag per token",
			args: []string{"batch-endpoint", "update", "-n", "ep", "--set", "a=1", "b=2"},
			want: []string{"batch-endpoint", "update", "-n", "ep", "--set=a=1", "--set=b=2"}},
		{name: "--set=VALUE starts the occurrence",
			args: []string{"batch-endpoint", "invoke", "--set=a=1", "b=2"},
			want: []string{"batch-endpoint", "invoke", "--set=a=1" + sep + "b=2"}},
		{name: "a negative number is a value, as argparse reads it",
			args: []string{"batch-endpoint", "invoke", "--set", "error_threshold", "-1", "-n", "ep"},
			want: []string{"batch-endpoint", "invoke", "--set=error_threshold" + sep + "-1", "-n", "ep"}},
		{name: "abbreviated long flag",
			args: []string{"batch-endpoint", "invoke", "--f", "in.yml"},
			want: []string{"batch-endpoint", "invoke", "--file", "in.yml"}},
		{name: "--set at the end with no value",
			args: []string{"batch-endpoint", "invoke", "-n", "ep", "--set"}, wantErr: "argument --set: expected at least one argument"},
		{name: "--set followed by a flag",
			args: []string{"batch-endpoint", "invoke", "--set", "--input", "x"}, wantErr: "argument --set: expected at least one argument"},
		{name: "--set on update with no value",
			args: []string{"batch-endpoint", "update", "-n", "ep", "--set"}, wantErr: "argument --set: expected at least one argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandArgs(newTree(), tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("expandArgs = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSeedDocumentSpacedSet runs the seed document's --set form through the
// whole command line: the body names the input, and one warning says az
// requires KEY=VALUE.
func TestSeedDocumentSpacedSet(t *testing.T) {
	code, stdout, stderr := run(t, nil, "batch-endpoint", "invoke", "--name", "ep",
		"--set", "inputs.heart_dataset.type", "uri_folder", "inputs.heart_dataset.path", "https://h/c/heart",
		"--dry-run", "--query", "body.properties.inputData")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var inputs map[string]map[string]string
	if err := json.Unmarshal([]byte(stdout), &inputs); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if in := inputs["heart_dataset"]; in["jobInputType"] != "UriFolder" || in["uri"] != "https://h/c/heart" {
		t.Errorf("inputData = %v", inputs)
	}
	if strings.Count(stderr, "WARNING: ") != 1 || !strings.Contains(stderr, "az requires KEY=VALUE") {
		t.Errorf("want one warning that az requires KEY=VALUE, got %q", stderr)
	}
}
