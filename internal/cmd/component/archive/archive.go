// Package archive implements `ml component archive`.
package archive

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml component archive`.
type Options struct {
	// Name is the component (-n/--name, required).
	Name string
	// Version (-v) or Label (-l, latest) archive one version; neither
	// archives the component with all its versions.
	Version, Label string
}

// NewCmdArchive returns `ml component archive`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdArchive(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Archive a component or one of its versions",
		Long: `Archive a component version (--version, or --label latest) or, without either,
the whole component, as az does. Archived components are hidden from
'ml component list' (see --include-archived) but still resolve by version.
Prints nothing.`,
		Example: `  ml component archive -n hello_batch --version 1
  ml component archive -n hello_batch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Version != "" && opts.Label != "" {
				return clierr.Usagef("--version and --label cannot be used together; pass one of them")
			}
			if runF != nil {
				return runF(opts)
			}
			c, err := f.Client()
			if err != nil {
				return err
			}
			return c.ArchiveComponent(cmd.Context(), opts.Name, opts.Version, opts.Label, true)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the component (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version to archive (default: the whole component)")
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the version to archive (latest); not with --version")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
