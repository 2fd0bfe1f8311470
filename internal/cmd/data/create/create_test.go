package create

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/spec"
)

// TestNewCmdCreate checks flag parsing through the runF hook.
func TestNewCmdCreate(t *testing.T) {
	tests := []struct {
		args    []string
		want    Options
		wantErr string
	}{
		{args: []string{"-f", "data.yml"}, want: Options{File: "data.yml"}},
		{args: []string{"-n", "rows", "-p", "./rows", "-t", "uri_folder", "-v", "3", "-d", "some rows", "--datastore", "other"},
			want: Options{Name: "rows", Path: "./rows", Type: "uri_folder", Version: "3", Description: "some rows", Datastore: "other"}},
		{args: []string{"--name", "rows", "--path", "x.csv", "--type", "uri_file", "--set", "tags.a=b"},
			want: Options{Name: "rows", Path: "x.csv", Type: "uri_file", Set: []string{"tags.a=b"}}},
		{args: []string{"-n", "rows"}, wantErr: "--name/-n and --path/-p"},
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

// TestFlagsBecomeOverridesInAzOrder: flags override the file's keys in
// the order az appends them.
func TestFlagsBecomeOverridesInAzOrder(t *testing.T) {
	o := Options{Name: "n", Path: "p", Type: "uri_file", Version: "2", Description: "d", Datastore: "s"}
	var keys []string
	for _, ov := range o.Flags() {
		keys = append(keys, ov.Key)
	}
	if strings.Join(keys, ",") != "name,description,version,type,path,datastore" {
		t.Errorf("override keys = %v", keys)
	}
	if got := o.Flags()[0]; got != spec.Flag("--name", "name", "n") {
		t.Errorf("first override = %+v", got)
	}
}
