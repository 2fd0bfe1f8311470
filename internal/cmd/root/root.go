// Package root builds the ml command tree and its az-compatible global
// flags.
package root

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/batchdeployment"
	"github.com/mlbatch/ml/internal/cmd/batchendpoint"
	"github.com/mlbatch/ml/internal/cmd/component"
	"github.com/mlbatch/ml/internal/cmd/compute"
	"github.com/mlbatch/ml/internal/cmd/configure"
	"github.com/mlbatch/ml/internal/cmd/data"
	"github.com/mlbatch/ml/internal/cmd/datastore"
	"github.com/mlbatch/ml/internal/cmd/environment"
	"github.com/mlbatch/ml/internal/cmd/job"
	"github.com/mlbatch/ml/internal/cmd/local"
	"github.com/mlbatch/ml/internal/cmd/model"
	"github.com/mlbatch/ml/internal/cmd/version"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/output"
)

// NewCmdRoot returns the root command with every noun attached.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	g := f.Globals
	cmd := &cobra.Command{
		Use:   "ml <command>",
		Short: "Invoke Azure ML batch endpoints, on Azure or on a local workspace",
		Long: `ml runs the az ml batch-endpoint family as one fast binary: a script written for
"az ml batch-endpoint invoke ..." runs unchanged with "az ml" replaced by "ml".
With --local the same commands target a local workspace (ml local serve) that
runs batch deployments on this machine, no Azure account needed.`,
		Example: `  # Invoke an endpoint with a local folder and capture the job name
  JOB=$(ml batch-endpoint invoke -n heart-classifier --input ./data --query name -o tsv)

  # Preview what would be uploaded and sent, without credentials
  ml batch-endpoint invoke -n heart-classifier --input ./data --dry-run`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := checkNameFlags(cmd); err != nil {
				return err
			}
			_, err := f.OutputOptions()
			return err
		},
	}
	cmd.CompletionOptions.HiddenDefaultCmd = true
	pf := cmd.PersistentFlags()
	pf.VarP(formatFlag{&g.Output}, "output", "o", "Output format: "+strings.Join(output.Formats, ", ")+" (default json, or AZURE_CORE_OUTPUT / az's [core] output)")
	pf.StringVar(&g.Query, "query", "", "JMESPath query applied to the result, as in az (e.g. --query name -o tsv)")
	pf.StringVar(&g.JQ, "jq", "", "jq program applied to the result (e.g. --jq .name); not with --query")
	pf.BoolVar(&g.Debug, "debug", false, "Trace HTTP requests and responses to stderr (secrets redacted)")
	pf.BoolVar(&g.Verbose, "verbose", false, "Print progress information to stderr")
	pf.BoolVar(&g.OnlyShowErrors, "only-show-errors", false, "Only print errors, no warnings")
	pf.StringVar(&g.Subscription, "subscription", "", "Subscription name or id (default AZURE_SUBSCRIPTION_ID, then az's default subscription)")
	pf.StringVarP(&g.ResourceGroup, "resource-group", "g", "", "Resource group (default: az configure --defaults group=...)")
	pf.StringVarP(&g.Workspace, "workspace-name", "w", "", "Azure ML workspace (default: az configure --defaults workspace=...)")
	pf.BoolVar(&g.Local, "local", false, "Target the local workspace started by 'ml local serve' (also ML_LOCAL=1)")
	pf.StringVar(&g.Cloud, "cloud", "", "Azure cloud: AzureCloud (default), AzureChinaCloud, AzureUSGovernment (also AZURE_CLOUD_NAME)")
	cmd.MarkFlagsMutuallyExclusive("query", "jq")

	cmd.AddCommand(
		batchendpoint.NewCmdBatchEndpoint(f),
		batchdeployment.NewCmdBatchDeployment(f),
		component.NewCmdComponent(f),
		compute.NewCmdCompute(f),
		configure.NewCmdConfigure(f),
		data.NewCmdData(f),
		datastore.NewCmdDatastore(f),
		environment.NewCmdEnvironment(f),
		job.NewCmdJob(f),
		local.NewCmdLocal(f),
		model.NewCmdModel(f),
		version.NewCmdVersion(f),
	)
	return cmd
}

// formatFlag is -o/--output: each occurrence is checked as it is parsed,
// as az's argparse checks a choice, so `-o azureml://... -o json` fails on
// the first instead of the last silently winning.
type formatFlag struct{ p *string }

func (v formatFlag) Set(s string) error {
	if err := output.CheckFormat(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

func (v formatFlag) String() string { return *v.p }
func (v formatFlag) Type() string   { return "string" }
