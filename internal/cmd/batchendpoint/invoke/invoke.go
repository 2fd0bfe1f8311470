// Package invoke implements `ml batch-endpoint invoke`.
package invoke

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/invocation"
)

// Options are the parsed flags of one invoke.
type Options struct {
	Flags  invocation.Flags
	Set    cmdutil.Occurrences
	DryRun bool
	Follow followOptions

	// -m/-c values; copied into Flags only when given, since 0 is not "unset".
	miniBatchSize, instanceCount int64

	// Spellings of the 2021/2022 preview CLI, mapped onto Flags.
	Legacy invocation.LegacyFlags
}

const example = `  # A local folder: uploaded to the workspace's default datastore first
  ml batch-endpoint invoke -n heart-classifier --input ./data

  # A local file
  ml batch-endpoint invoke -n heart-classifier --input ./data/heart.csv --input-type uri_file

  # A registered data asset, by version or by label
  ml batch-endpoint invoke -n heart-classifier --input azureml:heart-unlabeled:1
  ml batch-endpoint invoke -n heart-classifier --input azureml:heart-unlabeled@latest

  # A path on a datastore (short form, long form, or the ARM id the Azure docs use)
  ml batch-endpoint invoke -n heart-classifier --input-type uri_folder \
    --input azureml://datastores/workspaceblobstore/paths/heart/unlabeled
  ml batch-endpoint invoke -n heart-classifier --input-type uri_folder \
    --input /subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.MachineLearningServices/workspaces/$WS/datastores/workspaceblobstore/paths/heart/unlabeled

  # A public URL or another storage URL
  ml batch-endpoint invoke -n heart-classifier --input-type uri_file \
    --input https://azuremlexamples.blob.core.windows.net/datasets/heart.csv

  # Named inputs and outputs with --set, and batch settings az cannot send
  ml batch-endpoint invoke -n heart-classifier -d classifier-xgboost \
    --set inputs.heart_dataset.type=uri_folder inputs.heart_dataset.path=azureml:heart-unlabeled@latest \
    --set outputs.score.type=uri_file outputs.score.path=azureml://datastores/workspaceblobstore/paths/out/predictions.csv \
    --set mini_batch_size=20 error_threshold=5 retry_settings.max_retries=2

  # Inputs from a YAML file
  ml batch-endpoint invoke -n heart-classifier --file inputs.yml

  # Capture the job name, or preview everything without sending anything
  JOB=$(ml batch-endpoint invoke -n heart-classifier --input ./data --query name -o tsv)
  ml batch-endpoint invoke -n heart-classifier --input ./data --dry-run`

// NewCmdInvoke returns `ml batch-endpoint invoke`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdInvoke(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "invoke",
		Short: "Start a batch scoring job on a batch endpoint",
		Long: `Start a batch scoring job. Local files and folders are uploaded to the
workspace's default datastore (content-addressed, so an unchanged folder is not
uploaded twice, by ml or by az), then the endpoint's jobs API is called and the
created job is printed. Inputs come from --input/--input-type, --file or --set;
every form is shown below. --dry-run prints the body and the upload plan and
sends nothing.`,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("mini-batch-size") {
				opts.Flags.MiniBatchSize = &opts.miniBatchSize
			}
			if cmd.Flags().Changed("instance-count") {
				opts.Flags.InstanceCount = &opts.instanceCount
			}
			opts.Flags.Set = append(opts.Flags.Set, opts.Set...)
			notes, err := opts.Flags.Compat(opts.Legacy)
			if err != nil {
				return err
			}
			for _, note := range notes {
				f.Warn("%s", note)
			}
			if runF != nil {
				return runF(opts)
			}
			return invokeRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Flags.Endpoint, "name", "n", "", "Name of the batch endpoint (required)")
	fl.StringVarP(&opts.Flags.Deployment, "deployment-name", "d", "", "Deployment to run (default: the endpoint's default deployment)")
	fl.StringVar(&opts.Flags.Input, "input", "", "Input data: a local file or folder, azureml:<name>:<version>, azureml:<name>@<label>, a datastore path or a URL")
	fl.StringVar(&opts.Flags.InputType, "input-type", "", "Type of --input: uri_folder (default) or uri_file")
	cmdutil.NargsPlusVar(cmd, &opts.Set, "set", "KEY=VALUE overrides: inputs.<name>.<field>, outputs.<name>.<field>, mini_batch_size, instance_count, output_file_name, error_threshold, retry_settings.max_retries, retry_settings.timeout, logging_level")
	fl.StringVarP(&opts.Flags.File, "file", "f", "", "YAML file with inputs, outputs, deployment and settings; - reads standard input")
	fl.Int64VarP(&opts.miniBatchSize, "mini-batch-size", "m", 0, "Files per mini-batch for this job (overrides the deployment)")
	fl.Int64VarP(&opts.instanceCount, "instance-count", "c", 0, "Instances for this job (overrides the deployment)")
	fl.StringVar(&opts.Flags.OutputPath, "output-path", "", "Where to write the output file: azureml://datastores/<datastore>/paths/<path>")
	fl.StringVar(&opts.Flags.JobName, "job-name", "", "Name of the job to create (default: generated)")
	fl.StringVar(&opts.Flags.ExperimentName, "experiment-name", "", "Experiment to file the job under")
	opts.Follow.addFlags(fl)
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Print the request body and upload plan as one object; send nothing, need no credentials")
	fl.StringVar(&opts.Legacy.InputPath, "input-path", "", "Deprecated: use --input with --input-type (folder:URI or file:URI)")
	fl.StringVar(&opts.Legacy.InputLocalPath, "input-local-path", "", "Deprecated: use --input")
	fl.StringVar(&opts.Legacy.InputData, "input-data", "", "Deprecated: use --input")
	fl.StringVar(&opts.Legacy.InputDataset, "input-dataset", "", "Deprecated: use --input azureml:<name>:<version>")
	for _, name := range []string{"input-path", "input-local-path", "input-data", "input-dataset"} {
		_ = fl.MarkHidden(name)
	}
	cmdutil.AddNoCacheFlag(cmd, f)
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
