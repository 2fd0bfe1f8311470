// Package cmdtest holds test helpers shared by the verb packages: the
// flag-parsing table every verb tests through its runF hook.
package cmdtest

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// FlagCase is one command line of a verb and what it must become. Fields are
// in the order the tables write them positionally.
type FlagCase[O comparable] struct {
	Name string
	Args []string
	// Want is the parsed options when WantErr is empty.
	Want O
	// WantErr is a substring of the expected error; "" means success.
	WantErr string
	// Usage requires the error to be a usage error (exit 2).
	Usage bool
}

// RunFlagCases runs each case through newCmd with a runF hook that records
// the options instead of running: errors must name what is wrong and stop
// the command before it runs; successes must yield Want.
func RunFlagCases[O comparable](t *testing.T, cases []FlagCase[O], newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}}
			var got *O
			cmd := newCmd(f, func(o *O) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.Args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.WantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.WantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.WantErr)
				}
				if tt.Usage && !clierr.IsUsage(err) {
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
			if *got != tt.Want {
				t.Errorf("options = %+v, want %+v", *got, tt.Want)
			}
		})
	}
}

// Case builds a FlagCase positionally, so tables stay one line per case.
func Case[O comparable](name string, args []string, want O, wantErr string, usage bool) FlagCase[O] {
	return FlagCase[O]{Name: name, Args: args, Want: want, WantErr: wantErr, Usage: usage}
}
