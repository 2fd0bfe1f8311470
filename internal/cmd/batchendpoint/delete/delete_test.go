package delete

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestNewCmdDelete checks flag parsing through the runF hook.
func TestNewCmdDelete(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{args: []string{"-n", "heart", "-y"}, want: Options{Name: "heart", Yes: true}},
		{args: []string{"--name", "heart", "--yes", "--no-wait"}, want: Options{Name: "heart", Yes: true, NoWait: true}},
		{args: []string{"--yes"}, wantErr: `required flag(s) "name" not set`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}}
			var got *Options
			cmd := NewCmdDelete(f, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("options = %+v, want %+v", *got, tc.want)
			}
		})
	}
}

// TestDeleteNeedsYesWithoutTerminal: in a script (stdin not a terminal)
// delete refuses without --yes, before any client is built.
func TestDeleteNeedsYesWithoutTerminal(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}, Getenv: func(string) string { return "" }}
	cmd := NewCmdDelete(f, nil)
	cmd.SetArgs([]string{"-n", "heart"})
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.Execute()
	if !clierr.IsUsage(err) || !strings.Contains(err.Error(), "pass --yes/-y") {
		t.Fatalf("error = %v, want a usage error asking for --yes", err)
	}
}
