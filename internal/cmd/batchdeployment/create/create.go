// Package create implements `ml batch-deployment create`.
package create

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml batch-deployment create`.
type Options struct {
	// File is the deployment YAML (-f/--file, required).
	File string
	// Name and EndpointName override name: and endpoint_name: (-n, -e);
	// the endpoint name is lower-cased as az does.
	Name, EndpointName string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
	// SetDefault makes it the endpoint's default deployment (--set-default).
	SetDefault bool
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdCreate returns `ml batch-deployment create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a batch deployment from an Azure ML YAML file",
		Long: `Create (or update) a batch deployment from the YAML file az takes
(modelBatchDeployment, batchDeployment or pipelineComponentBatchDeployment
schema). The file is checked first: unknown keys, wrong types, missing keys
and local paths that do not exist are reported with file, line and fix, and
nothing is uploaded. Then, as az does, a local code folder is uploaded and
registered as a code version, an inline model as a model version and an
inline environment (image + conda file) as an environment version; uploads
skip content already there. A pipeline deployment's component: may be a
registered component (azureml:<name>@latest or :<version>), a pipeline
component file or an inline pipeline: a file is checked whole (its steps'
component files and code folders, the components it references) and then
registered as 'ml component create' registers it; job_definition:
azureml:<pipeline job> deploys that job's pipeline. The command waits for the deployment (progress
on stderr) unless --no-wait; --set-default then makes it the endpoint's
default deployment. On the local workspace a compute cluster and an
environment image are recorded, reported once, and not used.`,
		Example: `  ml batch-deployment create -f deployment.yml --set-default
  ml batch-deployment create -f deployment.yml -e heart-classifier -n classifier-v2 --set settings.mini_batch_size=20
  ml batch-deployment create -f deployment.yml --no-wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Batch deployment YAML file (required); - reads standard input")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the deployment; overrides name: in the file")
	fl.StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint; overrides endpoint_name: in the file")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set settings.mini_batch_size=20 resources.instance_count=2")
	fl.BoolVar(&opts.SetDefault, "set-default", false, "Make this the endpoint's default deployment once it is ready")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.AddNoCacheFlag(cmd, f)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// Flags are the overrides the flags stand for, in az's order.
func (o *Options) Flags() []spec.Override {
	var out []spec.Override
	if o.Name != "" {
		out = append(out, spec.Flag("--name", "name", o.Name))
	}
	if o.EndpointName != "" {
		out = append(out, spec.Flag("--endpoint-name", "endpoint_name", strings.ToLower(o.EndpointName)))
	}
	return out
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	overrides, err := manage.Overrides(opts.Set, opts.Flags()...)
	if err != nil {
		return err
	}
	d, err := spec.LoadDeployment(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	return manage.PutDeployment(ctx, f, d, "Creating", opts.NoWait, opts.SetDefault)
}
