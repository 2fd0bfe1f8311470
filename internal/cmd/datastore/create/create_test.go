package create

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/spec"
)

// TestNewCmdCreate checks flag parsing through the runF hook, and that the
// flags become overrides in az's order (--set, then --name).
func TestNewCmdCreate(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{args: []string{"-f", "blob.yml"}, want: Options{File: "blob.yml"}},
		{args: []string{"--file", "blob.yml", "-n", "images", "--set", "credentials.account_key=k", "--set", "protocol=http"},
			want: Options{File: "blob.yml", Name: "images", Set: []string{"credentials.account_key=k", "protocol=http"}}},
		{args: []string{"-n", "images"}, wantErr: `required flag(s) "file" not set`},
		{args: []string{"-f", "blob.yml", "extra"}, wantErr: "unknown command"},
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
	o := Options{Name: "images", Set: []string{"name=other", "protocol=http"}}
	got, err := o.Overrides()
	if err != nil {
		t.Fatal(err)
	}
	want := []spec.Override{{Key: "name", Value: "other", Source: "--set name"}, {Key: "protocol", Value: "http", Source: "--set protocol"},
		{Key: "name", Value: "images", Source: "--name"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("overrides = %+v, want %+v", got, want)
	}
}
