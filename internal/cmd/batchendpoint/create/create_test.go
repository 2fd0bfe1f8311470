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
		{args: []string{"-f", "endpoint.yml"}, want: Options{File: "endpoint.yml"}},
		{args: []string{"--file", "e.yml", "--name", "Heart", "--set", "description=x", "--set", "tags.a=b", "--no-wait"},
			want: Options{File: "e.yml", Name: "Heart", Set: []string{"description=x", "tags.a=b"}, NoWait: true}},
		{args: []string{"-n", "heart"}, want: Options{Name: "heart"}},
		{args: []string{}, wantErr: "--file/-f, or at least --name/-n"},
		{args: []string{"heart"}, wantErr: "unknown command"},
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
