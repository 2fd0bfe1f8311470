package invoke

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/iostreams"
)

func i64(v int64) *int64 { return &v }

// TestNewCmdInvokeFlags checks how each flag form lands in the invocation
// flags, through cobra and the deprecated-alias mapping, without running.
func TestNewCmdInvokeFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    invocation.Flags
		warning string
		wantErr string
		dryRun  bool
		stream  bool
	}{
		{name: "input and type", args: []string{"-n", "ep", "--input", "./d", "--input-type", "uri_file"},
			want: invocation.Flags{Endpoint: "ep", Input: "./d", InputType: "uri_file"}},
		{name: "deployment, file, output path, names", args: []string{"-n", "ep", "-d", "dep", "-f", "in.yml", "--output-path", "azureml://datastores/ws/paths/o", "--job-name", "j", "--experiment-name", "x"},
			want: invocation.Flags{Endpoint: "ep", Deployment: "dep", File: "in.yml", OutputPath: "azureml://datastores/ws/paths/o", JobName: "j", ExperimentName: "x"}},
		{name: "-m and -c only when given", args: []string{"-n", "ep", "-m", "5", "-c", "2"},
			want: invocation.Flags{Endpoint: "ep", MiniBatchSize: i64(5), InstanceCount: i64(2)}},
		{name: "zero -m is passed on (and rejected by the model)", args: []string{"-n", "ep", "-m", "0"},
			want: invocation.Flags{Endpoint: "ep", MiniBatchSize: i64(0)}},
		{name: "set tokens, repeated", args: []string{"-n", "ep", "--set", "inputs.a=1", "--set", "mini_batch_size=3"},
			want: invocation.Flags{Endpoint: "ep", Set: [][]string{{"inputs.a=1"}, {"mini_batch_size=3"}}}},
		{name: "deprecated --input-path folder:", args: []string{"-n", "ep", "--input-path", "folder:https://a/b"},
			want: invocation.Flags{Endpoint: "ep", Input: "https://a/b", InputType: "uri_folder"}, warning: "--input-path is deprecated; use --input https://a/b --input-type uri_folder"},
		{name: "deprecated --input-path file:", args: []string{"-n", "ep", "--input-path", "file:https://a/b.csv"},
			want: invocation.Flags{Endpoint: "ep", Input: "https://a/b.csv", InputType: "uri_file"}, warning: "--input-path is deprecated"},
		{name: "deprecated --input-local-path", args: []string{"-n", "ep", "--input-local-path", "./data"},
			want: invocation.Flags{Endpoint: "ep", Input: "./data"}, warning: "--input-local-path is deprecated; use --input ./data"},
		{name: "deprecated --input-data", args: []string{"-n", "ep", "--input-data", "azureml:d:1"},
			want: invocation.Flags{Endpoint: "ep", Input: "azureml:d:1"}, warning: "--input-data is deprecated"},
		{name: "preview --input-dataset", args: []string{"-n", "ep", "--input-dataset", "azureml:heart:2"},
			want: invocation.Flags{Endpoint: "ep", Input: "azureml:heart:2"}, warning: "--input-dataset is deprecated; use --input azureml:heart:2"},
		{name: "preview --output-path folder:", args: []string{"-n", "ep", "--output-path", "folder:azureml://datastores/ws/paths/o"},
			want: invocation.Flags{Endpoint: "ep", OutputPath: "azureml://datastores/ws/paths/o"}, warning: "--output-path folder:<uri> is the preview CLI's form; use --output-path azureml://datastores/ws/paths/o"},
		{name: "docs' space-separated --set, one occurrence", args: []string{"-n", "ep", "--set", "inputs.a.type" + cmdutil.OccurrenceSep + "uri_folder"},
			want: invocation.Flags{Endpoint: "ep", Set: [][]string{{"inputs.a.type=uri_folder"}}}, warning: "--set: read the space-separated KEY VALUE pairs as inputs.a.type=..."},
		{name: "deprecated alias with --input", args: []string{"-n", "ep", "--input", "x", "--input-data", "y"}, wantErr: "keep only --input"},
		{name: "alias type contradicts --input-type", args: []string{"-n", "ep", "--input-path", "file:x", "--input-type", "uri_folder"}, wantErr: "keep one"},
		{name: "dry run and stream", args: []string{"-n", "ep", "--dry-run", "--stream"}, want: invocation.Flags{Endpoint: "ep"}, dryRun: true, stream: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}}
			var got *Options
			cmd := NewCmdInvoke(f, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !clierr.IsUsage(err) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Flags, tt.want) {
				t.Errorf("flags = %+v, want %+v", got.Flags, tt.want)
			}
			if got.DryRun != tt.dryRun || got.Follow.Stream != tt.stream {
				t.Errorf("dry-run %v stream %v", got.DryRun, got.Follow.Stream)
			}
			if tt.warning == "" && errOut.Len() > 0 {
				t.Errorf("unexpected stderr %q", errOut)
			}
			if tt.warning != "" && !strings.Contains(errOut.String(), "WARNING: "+tt.warning) {
				t.Errorf("stderr %q lacks warning %q", errOut, tt.warning)
			}
		})
	}
}
