package batchdeployment

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/create"
	deletecmd "github.com/mlbatch/ml/internal/cmd/batchdeployment/delete"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/list"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/listjobs"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/show"
	"github.com/mlbatch/ml/internal/cmd/batchdeployment/update"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/spec"
)

func testFactory() *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}, Getenv: func(string) string { return "" }}
}

// TestVerbFlags checks each verb's flag parsing through its runF hook.
func TestVerbFlags(t *testing.T) {
	type build func(f *cmdutil.Factory, got *any) *cobra.Command
	createCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return create.NewCmdCreate(f, func(o *create.Options) error { *got = *o; return nil })
	}
	updateCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return update.NewCmdUpdate(f, func(o *update.Options) error { *got = *o; return nil })
	}
	showCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return show.NewCmdShow(f, func(o *show.Options) error { *got = *o; return nil })
	}
	listCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return list.NewCmdList(f, func(o *list.Options) error { *got = *o; return nil })
	}
	deleteCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return deletecmd.NewCmdDelete(f, func(o *deletecmd.Options) error { *got = *o; return nil })
	}
	jobsCmd := func(f *cmdutil.Factory, got *any) *cobra.Command {
		return listjobs.NewCmdListJobs(f, func(o *listjobs.Options) error { *got = *o; return nil })
	}
	tests := []struct {
		name    string
		cmd     build
		args    []string
		want    any
		wantErr string
	}{
		{"create", createCmd, []string{"-f", "d.yml", "--set-default"}, create.Options{File: "d.yml", SetDefault: true}, ""},
		{"create overrides", createCmd, []string{"-f", "d.yml", "-n", "green", "-e", "Heart", "--set", "settings.mini_batch_size=3", "--no-wait"},
			create.Options{File: "d.yml", Name: "green", EndpointName: "Heart", Set: []string{"settings.mini_batch_size=3"}, NoWait: true}, ""},
		{"create needs a file", createCmd, []string{"-n", "green"}, nil, `required flag(s) "file" not set`},
		{"update by name", updateCmd, []string{"-n", "blue", "-e", "heart", "--set", "settings.mini_batch_size=3"},
			update.Options{Name: "blue", EndpointName: "heart", Set: []string{"settings.mini_batch_size=3"}}, ""},
		{"update by file", updateCmd, []string{"-f", "d.yml"}, update.Options{File: "d.yml"}, ""},
		{"update without endpoint", updateCmd, []string{"-n", "blue", "--set", "a=1"}, nil, "--endpoint-name/-e"},
		{"update without changes", updateCmd, []string{"-n", "blue", "-e", "heart"}, nil, "nothing to update"},
		{"show", showCmd, []string{"-n", "blue", "-e", "heart"}, show.Options{Name: "blue", EndpointName: "heart"}, ""},
		{"show needs the endpoint", showCmd, []string{"-n", "blue"}, nil, `"endpoint-name" not set`},
		{"list", listCmd, []string{"--endpoint-name", "heart"}, list.Options{EndpointName: "heart"}, ""},
		{"delete", deleteCmd, []string{"-n", "blue", "-e", "heart", "--yes", "--no-wait"}, deletecmd.Options{Name: "blue", EndpointName: "heart", Yes: true, NoWait: true}, ""},
		{"list-jobs", jobsCmd, []string{"-n", "blue", "-e", "heart"}, listjobs.Options{Name: "blue", EndpointName: "heart"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := testFactory()
			var got any
			cmd := tc.cmd(f, &got)
			cmd.SetArgs(tc.args)
			cmd.SetOut(f.IOStreams.Out)
			cmd.SetErr(f.IOStreams.ErrOut)
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
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("options = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestCreateFlagsOverrideTheFile: -n and -e become overrides, the endpoint
// name lower-cased as az does.
func TestCreateFlagsOverrideTheFile(t *testing.T) {
	o := create.Options{Name: "Green", EndpointName: "Heart-EP"}
	want := []spec.Override{spec.Flag("--name", "name", "Green"), spec.Flag("--endpoint-name", "endpoint_name", "heart-ep")}
	if got := o.Flags(); !reflect.DeepEqual(got, want) {
		t.Errorf("flags = %+v, want %+v", got, want)
	}
}

// TestBadYAMLStopsBeforeTheWorkspace: a bad deployment file is reported
// (file, line, fix) before any client, upload or request: this factory's
// workspace cannot even be resolved.
func TestBadYAMLStopsBeforeTheWorkspace(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "deployment.yml")
	if err := os.WriteFile(file, []byte("name: blue\nendpoint_name: heart\ntype: model\nmodel: azureml:m:1\ncompute: azureml:c\nsettings:\n  mini_batch: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := testFactory()
	f.Globals.Local = true // no local workspace runs: a client would fail differently
	cmd := create.NewCmdCreate(f, nil)
	cmd.SetArgs([]string{"-f", file})
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	err := cmd.Execute()
	if !clierr.IsUsage(err) || !strings.Contains(err.Error(), file+`:7: unknown key "mini_batch" in settings`) {
		t.Fatalf("error = %v, want the YAML error at line 7", err)
	}
}
