// Package configure implements `ml configure`, which reads and writes az's
// own config file so az and ml share defaults.
package configure

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the flags of `ml configure`.
type Options struct {
	Defaults     []string
	ListDefaults bool
}

// knownDefaults are the keys ml reads from [defaults], and location, which
// the azureml-examples scripts set (az configure --defaults workspace=…
// group=… location=…) and which no az ml command reads either: compute
// and endpoints take the workspace's region. Others are written as given
// (az has more) but ml warns that it does not use them.
var knownDefaults = map[string]bool{"group": true, "workspace": true, "local": true, "location": true}

// NewCmdConfigure returns `ml configure`.
func NewCmdConfigure(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Manage default values shared with az (group, workspace, local)",
		Long: `Read and write the [defaults] section of az's config file
($AZURE_CONFIG_DIR/config, else ~/.azure/config), so az and ml share defaults.
An empty value removes a default.`,
		Example: `  ml configure --defaults group=my-rg workspace=my-ws
  ml configure --defaults local=true
  ml configure --list-defaults -o table
  ml configure --defaults workspace=''`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return configureRun(f, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Defaults, "defaults", nil, "Space-separated NAME=VALUE defaults to set (group, workspace, local)")
	cmd.Flags().BoolVarP(&opts.ListDefaults, "list-defaults", "l", false, "List the defaults in az's config file")
	cmdutil.MarkNargsPlus(cmd, "defaults")
	return cmd
}

func configureRun(f *cmdutil.Factory, opts *Options) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if len(opts.Defaults) == 0 && !opts.ListDefaults {
		return clierr.Usagef("nothing to do: use --defaults NAME=VALUE ... to set defaults, or --list-defaults to show them")
	}
	if len(opts.Defaults) > 0 {
		pairs := map[string]string{}
		for _, tok := range opts.Defaults {
			name, value, ok := strings.Cut(tok, "=")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				return clierr.Usagef("--defaults: %q is not NAME=VALUE; example: --defaults group=my-rg workspace=my-ws", tok)
			}
			value = strings.Trim(value, `'"`)
			if name == "local" && value != "" && value != "true" && value != "false" {
				return clierr.Usagef("--defaults: local must be true or false, not %q", value)
			}
			pairs[name] = value
		}
		var unknown []string
		for name := range pairs {
			if !knownDefaults[name] {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		if len(unknown) > 0 {
			f.Warn("ml does not read the default(s) %s; they are saved for az", strings.Join(unknown, ", "))
		}
		if err := cfg.SetDefaults(pairs); err != nil {
			return err
		}
	}
	if opts.ListDefaults {
		list, err := cfg.Defaults()
		if err != nil {
			return err
		}
		return f.Print(list)
	}
	return nil
}
