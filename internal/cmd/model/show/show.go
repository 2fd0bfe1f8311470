// Package show implements `ml model show`.
package show

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml model show`. Exactly one of Version
// and Label is set.
type Options struct {
	// Name is the model (-n/--name, required).
	Name string
	// Version is the version to show (-v/--version).
	Version string
	// Label is the label to resolve (-l/--label): latest, the newest
	// active version.
	Label string
	// Registry shows the model of a registry instead of the workspace's
	// (--registry-name).
	Registry string
}

// NewCmdShow returns `ml model show`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a version of a model",
		Long: `Show one version of a model, chosen with --version or with --label latest
(exactly one of the two; latest is the newest version not archived), with
az's output keys: name, version, type, path, description, tags,
properties, flavors, stage, id and creation_context. A missing model or
version exits 3.

With --registry-name the model is read from that registry (for example
azureml, the curated models) instead of a workspace, so no resource group
or workspace is needed; its id is the azureml://registries/... URI a
deployment's model: takes.`,
		Example: `  ml model show -n heart-classifier --version 1
  ml model show -n heart-classifier --label latest --query version -o tsv
  ml model show -n bert-base-uncased --label latest --registry-name azureml --query id -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := manage.VersionOrLabel(opts.Version, opts.Label); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the model (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version of the model; not with --label")
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the model (latest); not with --version")
	fl.StringVar(&opts.Registry, "registry-name", "", "Registry to read the model from instead of the workspace (e.g. azureml)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if opts.Registry != "" {
		return showRegistryRun(ctx, f, opts)
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	version := opts.Version
	if version == "" {
		if version, err = c.ModelVersionByLabel(ctx, opts.Name, opts.Label); err != nil {
			return err
		}
	}
	m, err := c.GetModelVersion(ctx, opts.Name, version)
	if err != nil {
		return err
	}
	return f.Print(azml.ModelView(m))
}

func showRegistryRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	reg, err := manage.OpenRegistry(ctx, f, opts.Registry)
	if err != nil {
		return err
	}
	v, err := reg.ModelVersion(ctx, opts.Name, opts.Version, opts.Label)
	if err != nil {
		return err
	}
	return f.Print(azml.RegistryModelView(v))
}
