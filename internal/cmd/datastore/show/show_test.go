package show

import (
	"io"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestShowFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestShowFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string // substring of the error; "" means success
		usage   bool   // the error must be a usage error (exit 2)
	}{
		{"short name", []string{"-n", "workspaceblobstore"}, Options{Name: "workspaceblobstore"}, "", false},
		{"long name", []string{"--name", "workspaceblobstore"}, Options{Name: "workspaceblobstore"}, "", false},
		{"name required", nil, Options{}, `"name"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}}
			var got *Options
			cmd := NewCmdShow(f, func(o *Options) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if tt.usage && !clierr.IsUsage(err) {
					t.Errorf("error %q is not a usage error", err)
				}
				if got != nil {
					t.Errorf("the command ran despite the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			if *got != tt.want {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
