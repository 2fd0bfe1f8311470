// Package create implements `ml datastore create`.
package create

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml datastore create`.
type Options struct {
	// File is the datastore YAML (-f/--file, required; - reads stdin).
	File string
	// Name overrides name: (-n/--name).
	Name string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
}

// NewCmdCreate returns `ml datastore create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create or update a blob datastore",
		Long: `Create (or update) a datastore from the YAML file az takes
(azureBlob.schema.json: name, type azure_blob, account_name, container_name,
protocol (https by default; http, wasbs), endpoint (the cloud's storage
suffix by default, e.g. core.windows.net; host:port for a path-style service
such as Azurite), description, tags, and credentials with account_key or
sas_token, or none for identity-based access). The request skips the
service's credential check, as az's does. Prints the datastore as
'ml datastore show' does: the secret is never shown.

azure_file and Data Lake (gen1, gen2) datastores are not supported yet.

On the local workspace the datastore and its secret are kept in the
server's private state (never shown; listSecrets returns it, as on Azure).
Jobs read inputs from it (batch-endpoint invoke --input
azureml://datastores/<name>/paths/<path>, data assets registered there,
inputs of pipeline and command jobs), which the server downloads from the
account; outputs, code and models stay on workspaceblobstore. For Azurite, give
endpoint: 127.0.0.1:10000 (its host:port) and protocol: http: a host:port
endpoint means the path-style URL http://127.0.0.1:10000/<account_name>.`,
		Example: `  ml datastore create -f blob.yml
  ml datastore create -f blob.yml --set credentials.account_key=$KEY --set account_name=mystore
  ml datastore create -f blob-credless.yml -n images --query id -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Datastore YAML file (azureBlob.schema.json); - reads standard input (required)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the datastore (overrides name: in the file)")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set credentials.account_key=$KEY")
	cmdutil.MarkNargsPlus(cmd, "set")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// Overrides are the overrides the flags stand for, in az's order (--set
// first, then --name).
func (o *Options) Overrides() ([]spec.Override, error) {
	var flags []spec.Override
	if o.Name != "" {
		flags = append(flags, spec.Flag("--name", "name", o.Name))
	}
	return manage.Overrides(o.Set, flags...)
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	overrides, err := opts.Overrides()
	if err != nil {
		return err
	}
	ds, err := spec.LoadDatastore(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	got, err := c.CreateOrUpdateDatastore(ctx, ds.Name, ds.ARM(c.StorageEndpoint()))
	if err != nil {
		return err
	}
	return f.Print(azml.DatastoreView(got))
}
