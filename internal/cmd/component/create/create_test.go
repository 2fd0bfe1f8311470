package create

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestNewCmdCreate checks flag parsing through the runF hook.
func TestNewCmdCreate(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{args: []string{"-f", "hello.yml"}, want: Options{File: "hello.yml"}},
		{args: []string{"--file", "c.yml", "-n", "other", "-v", "3", "--set", "display_name=X", "--skip-validation"},
			want: Options{File: "c.yml", Name: "other", Version: "3", Set: []string{"display_name=X"}, SkipValidation: true}},
		{args: []string{"-n", "other"}, wantErr: `"file"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}}
			var got *Options
			cmd := NewCmdCreate(f, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
					t.Fatalf("error = %v, want %q before running", err, tc.wantErr)
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

// TestFlagsBecomeOverrides: --version then --name, as az appends them.
func TestFlagsBecomeOverrides(t *testing.T) {
	var got []string
	for _, o := range (&Options{Name: "n", Version: "2"}).Flags() {
		got = append(got, o.Source+"="+o.Key+":"+o.Value)
	}
	if want := []string{"--version=version:2", "--name=name:n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("overrides = %v, want %v", got, want)
	}
}
