// Package create implements `ml environment create`.
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

// Options are the parsed flags of `ml environment create`. Every flag
// overrides the same key of the file, as in az.
type Options struct {
	// File is the environment YAML (-f/--file); optional when --name and
	// --image or --build-context are given.
	File string
	// Name, Version, Image, CondaFile, Description, OSType and Datastore
	// override name:, version:, image:, conda_file:, description:,
	// os_type: and datastore:.
	Name, Version, Image, CondaFile, Description, OSType, Datastore string
	// BuildContext and DockerfilePath override build.path and
	// build.dockerfile_path.
	BuildContext, DockerfilePath string
	// Tags are --tags KEY=VALUE pairs, merged into tags:.
	Tags []string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
}

// NewCmdCreate returns `ml environment create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an environment version",
		Long: `Register an environment version from the YAML file az takes
(environment.schema.json: name, version, image, conda_file, build {path,
dockerfile_path}, os_type, inference_config, description, tags) or from
flags. The conda file is sent as az sends it; a local build context is
uploaded first. Without --version the next version is created, as az does.
On the local workspace the environment is recorded (deployments can name
it) and one note says it is not built: the local workspace runs scoring
scripts with the local Python (ML_LOCAL_PYTHON).`,
		Example: `  ml environment create -f environment/xgboost-sklearn-py38.yml
  ml environment create -n sklearn-env --image mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest --conda-file conda.yml
  ml environment create -n docker-env --build-context ./docker-context`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" && (opts.Name == "" || opts.Image == "" && opts.BuildContext == "") {
				return clierr.Usagef("give the environment YAML with --file/-f, or --name/-n with --image/-i (and --conda-file/-c) or --build-context/-b")
			}
			if opts.DockerfilePath != "" && opts.BuildContext == "" && opts.File == "" {
				return clierr.Usagef("--dockerfile-path needs --build-context/-b (the folder it is relative to)")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Environment YAML file (environment.schema.json)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the environment")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version to create (default: the next version)")
	fl.StringVarP(&opts.Image, "image", "i", "", "Docker image; not with --build-context")
	fl.StringVarP(&opts.CondaFile, "conda-file", "c", "", "Local path to a conda specification file (with --image)")
	fl.StringVarP(&opts.BuildContext, "build-context", "b", "", "Local folder to use as the Docker build context; not with --image")
	fl.StringVarP(&opts.DockerfilePath, "dockerfile-path", "d", "", "Dockerfile path inside the build context (default /Dockerfile)")
	fl.StringVar(&opts.OSType, "os-type", "", "Operating system: linux (default) or windows")
	fl.StringVar(&opts.Description, "description", "", "Description of the environment")
	fl.StringVar(&opts.Datastore, "datastore", "", "Datastore to upload a build context to (default workspaceblobstore)")
	fl.StringArrayVar(&opts.Tags, "tags", nil, "Space-separated KEY=VALUE tags")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set tags.owner=me")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.MarkNargsPlus(cmd, "tags")
	return cmd
}

// Overrides are the overrides the flags stand for, in az's order (--set
// first, so flags win).
func (o *Options) Overrides() ([]spec.Override, error) {
	var flags []spec.Override
	dockerfile := o.DockerfilePath
	if o.BuildContext != "" && dockerfile == "" {
		dockerfile = "/Dockerfile" // az's default for --build-context
	}
	for _, fl := range []struct{ flag, key, value string }{
		{"--name", "name", o.Name}, {"--version", "version", o.Version}, {"--description", "description", o.Description},
		{"--image", "image", o.Image}, {"--conda-file", "conda_file", o.CondaFile},
		{"--build-context", "build.path", o.BuildContext}, {"--dockerfile-path", "build.dockerfile_path", dockerfile},
		{"--os-type", "os_type", o.OSType}, {"--datastore", "datastore", o.Datastore},
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
	e, err := spec.LoadEnvironment(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	c, assets, err := manage.AssetClient(f)
	if err != nil {
		return err
	}
	if c.T.Local {
		f.Warn("environment %s is recorded but not built: the local workspace runs scoring scripts with the local Python (ML_LOCAL_PYTHON)", e.Name)
	}
	r, err := assets.CreateEnvironment(ctx, e)
	if err != nil {
		return err
	}
	got := r.Environment
	if got == nil {
		if got, err = c.GetEnvironmentVersion(ctx, r.Name, r.Version); err != nil {
			return err
		}
		f.Warn("environment %s version %s is already identical; nothing was registered", r.Name, r.Version)
	}
	return f.Print(azml.EnvironmentView(got))
}
