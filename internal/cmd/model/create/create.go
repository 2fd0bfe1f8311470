// Package create implements `ml model create`.
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

// Options are the parsed flags of `ml model create`. Every flag overrides
// the same key of the file, as in az.
type Options struct {
	// File is the model YAML (-f/--file); optional when --name and --path
	// are given.
	File string
	// Name, Version, Path, Type, Description, Stage and Datastore override
	// name:, version:, path:, type:, description:, stage: and datastore:.
	Name, Version, Path, Type, Description, Stage, Datastore string
	// Tags are --tags KEY=VALUE pairs, merged into tags:.
	Tags []string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
}

// NewCmdCreate returns `ml model create`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a model version",
		Long: `Register a model version from the YAML file az takes (model.schema.json: name,
version, type custom_model|mlflow_model|triton_model, path, description,
tags, properties, flavors, stage, datastore) or from flags. A local file or
folder is uploaded to the workspace's blob datastore first, with the same
content-hash layout as 'batch-endpoint invoke' (unchanged files are not
uploaded again); a datastore, https or runs:/ URI is registered as it is.
Without --version the next version is created, as az does. The file is
checked first (unknown keys, wrong types, missing paths are reported with
file, line and fix), and an existing version with other files is refused
before anything is uploaded. Deployments then take azureml:<name>@latest or
azureml:<name>:<version>.`,
		Example: `  ml model create --name heart-classifier --type mlflow_model --path model
  ml model create -n mnist-classifier-torch -v 2 -p deployment-torch/model --tags framework=torch
  ml model create -f model.yml --set version=3
  ml model show -n heart-classifier --label latest --query version -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" && (opts.Name == "" || opts.Path == "") {
				return clierr.Usagef("Please provide either --file/-f or --name/-n and --path/-p")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Model YAML file (model.schema.json)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the model")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version to create (default: the next version)")
	fl.StringVarP(&opts.Path, "path", "p", "", "Local file or folder to upload, or a datastore/https/runs:/ URI")
	fl.StringVarP(&opts.Type, "type", "t", "", "custom_model (default), mlflow_model or triton_model")
	fl.StringVar(&opts.Description, "description", "", "Description of the model")
	fl.StringVarP(&opts.Stage, "stage", "s", "", "Stage of the model (e.g. Development, Production)")
	fl.StringVar(&opts.Datastore, "datastore", "", "Datastore to upload a local path to (default workspaceblobstore)")
	fl.StringArrayVar(&opts.Tags, "tags", nil, "Space-separated KEY=VALUE tags")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set properties.source=uci")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.MarkNargsPlus(cmd, "tags")
	cmdutil.AddNoCacheFlag(cmd, f)
	return cmd
}

// Overrides are the overrides the flags stand for, in az's order (--set
// first, so flags win).
func (o *Options) Overrides() ([]spec.Override, error) {
	var flags []spec.Override
	for _, fl := range []struct{ flag, key, value string }{
		{"--name", "name", o.Name}, {"--version", "version", o.Version}, {"--path", "path", o.Path},
		{"--type", "type", o.Type}, {"--description", "description", o.Description},
		{"--stage", "stage", o.Stage}, {"--datastore", "datastore", o.Datastore},
	} {
		if fl.value != "" {
			flags = append(flags, spec.Flag(fl.flag, fl.key, fl.value))
		}
	}
	tags, err := manage.TagOverrides(o.Tags)
	if err != nil {
		return nil, err
	}
	return manage.Overrides(o.Set, append(flags, tags...)...)
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	overrides, err := opts.Overrides()
	if err != nil {
		return err
	}
	m, err := spec.LoadModel(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	c, assets, err := manage.AssetClient(f)
	if err != nil {
		return err
	}
	r, err := assets.CreateModel(ctx, m)
	if err != nil {
		return err
	}
	got := r.Model
	if got == nil {
		// An identical version existed: show it as it is.
		if got, err = c.GetModelVersion(ctx, r.Name, r.Version); err != nil {
			return err
		}
		f.Warn("model %s version %s already holds these files; nothing was registered", r.Name, r.Version)
	}
	return f.Print(azml.ModelView(got))
}
