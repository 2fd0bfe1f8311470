// Package create implements `ml data create`.
package create

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml data create`. Every flag overrides
// the same key of the file, as in az.
type Options struct {
	// File is the data asset YAML (-f/--file); optional when --name and
	// --path are given.
	File string
	// Name, Version, Path, Type, Description and Datastore override
	// name:, version:, path:, type:, description: and datastore:.
	Name, Version, Path, Type, Description, Datastore string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
}

// NewCmdCreate returns `ml data create`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a data asset version",
		Long: `Create a data asset version from the YAML file az takes (data.schema.json:
name, version, type uri_folder|uri_file|mltable, path, description, tags) or
from flags. A local path is uploaded to the workspace's blob datastore first,
with the same content-hash layout as 'batch-endpoint invoke' (unchanged files
are not uploaded again); a datastore or https URI is registered as it is.
Without a version the next one is used. Relative paths start from the YAML
file's folder (from the current directory without --file), as in az.`,
		Example: `  ml data create -f data.yml
  ml data create -n heart-unlabeled --path ./data/unlabeled --type uri_folder
  ml data create -n heart-csv -v 2 --path ./data/heart.csv --type uri_file
  ml data create -n public-iris --type uri_file --path https://azuremlexamples.blob.core.windows.net/datasets/iris.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" && (opts.Name == "" || opts.Path == "") {
				return clierr.Usagef("give the data asset YAML with --file/-f, or --name/-n and --path/-p")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Data asset YAML file (data.schema.json); - reads standard input")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the data asset")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version to create (default: the next version)")
	fl.StringVarP(&opts.Path, "path", "p", "", "Local file or folder to upload, or a datastore/https URI")
	fl.StringVarP(&opts.Type, "type", "t", "", "uri_folder (default), uri_file or mltable")
	fl.StringVarP(&opts.Description, "description", "d", "", "Description of the data asset")
	fl.StringVar(&opts.Datastore, "datastore", "", "Datastore to upload a local path to (default workspaceblobstore)")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set tags.source=uci")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.AddNoCacheFlag(cmd, f)
	return cmd
}

// Flags are the overrides the flags stand for, in az's order.
func (o *Options) Flags() []spec.Override {
	var out []spec.Override
	for _, fl := range []struct{ flag, key, value string }{
		{"--name", "name", o.Name}, {"--description", "description", o.Description}, {"--version", "version", o.Version},
		{"--type", "type", o.Type}, {"--path", "path", o.Path}, {"--datastore", "datastore", o.Datastore},
	} {
		if fl.value != "" {
			out = append(out, spec.Flag(fl.flag, fl.key, fl.value))
		}
	}
	return out
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	overrides, err := manage.Overrides(opts.Set, opts.Flags()...)
	if err != nil {
		return err
	}
	d, err := spec.LoadData(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	_, assets, err := manage.AssetClient(f)
	if err != nil {
		return err
	}
	created, err := assets.CreateData(ctx, d)
	if err != nil {
		return err
	}
	return f.Print(azml.DataView(created))
}
