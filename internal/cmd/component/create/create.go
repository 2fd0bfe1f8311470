// Package create implements `ml component create`.
package create

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml component create`.
type Options struct {
	// File is the component YAML (-f/--file, required).
	File string
	// Name and Version override name: and version: (-n, -v).
	Name, Version string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
	// SkipValidation is accepted for az compatibility; the file is always
	// checked (--skip-validation).
	SkipValidation bool
}

// NewCmdCreate returns `ml component create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a component version from a YAML file",
		Long: `Register a component from the YAML file az takes (commandComponent,
parallelComponent or pipelineComponent schema). The whole file is checked
first, with every child component a pipeline defines inline or in a file of
its own and every component it references: unknown keys, wrong types, inputs
a step sets that its component does not declare, bindings to inputs or steps
that do not exist, local folders that are missing, and a version (--version or
version:) that already exists with another definition are reported with file,
line and fix, and nothing is uploaded or registered. Then, as az does, a local code:
folder is uploaded (unchanged files are not uploaded again) and registered as
a code version, an inline environment as an environment version, the children
of a pipeline as anonymous components (azureml_anonymous, versioned by a hash
of their content), and the component under its name: at --version or
version:, else the next version (an unchanged latest version is reused).`,
		Example: `  ml component create -f hello-component/hello.yml
  ml component create -f components/prepare/prepare.yml --version 2
  ml component create -f train.yml --set display_name="Train v2" --query version -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Component YAML file (required)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the component; overrides name: in the file")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version of the component; overrides version: in the file (default: the next version)")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set display_name=Train inputs.lr.default=0.1")
	fl.BoolVar(&opts.SkipValidation, "skip-validation", false, "Accepted for az compatibility (the file is always checked before anything is registered)")
	cmdutil.MarkNargsPlus(cmd, "set")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// Flags are the overrides the flags stand for, in az's order (version,
// then name).
func (o *Options) Flags() []spec.Override {
	var out []spec.Override
	if o.Version != "" {
		out = append(out, spec.Flag("--version", "version", o.Version))
	}
	if o.Name != "" {
		out = append(out, spec.Flag("--name", "name", o.Name))
	}
	return out
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	overrides, err := manage.Overrides(opts.Set, opts.Flags()...)
	if err != nil {
		return err
	}
	c, err := spec.LoadComponent(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	manage.Notes(f, c.Notes)
	_, assets, err := manage.AssetClient(f)
	if err != nil {
		return err
	}
	cv, err := assets.CreateComponent(ctx, c)
	if err != nil {
		return err
	}
	return f.Print(azml.ComponentView(cv))
}
