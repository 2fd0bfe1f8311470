package update

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestNewCmdUpdate checks flag parsing through the runF hook.
func TestNewCmdUpdate(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{args: []string{"-n", "heart", "--set", "defaults.deployment_name=blue"}, want: Options{Name: "heart", Set: []string{"defaults.deployment_name=blue"}}},
		{args: []string{"-f", "e.yml", "--no-wait"}, want: Options{File: "e.yml", NoWait: true}},
		{args: []string{"-n", "heart"}, wantErr: "nothing to update"},
		{args: []string{"--set", "a=b"}, wantErr: "--name/-n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}}
			var got *Options
			cmd := NewCmdUpdate(f, func(o *Options) error { got = o; return nil })
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
