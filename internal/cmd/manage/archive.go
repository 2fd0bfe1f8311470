package manage

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// ArchiveOptions are the flags of the archive and restore verbs of an
// asset noun (model, environment): a name and, optionally, a version or a
// label; without either the whole asset is archived, as in az.
type ArchiveOptions struct {
	Name, Version, Label string
}

// Archiver archives (archived true) or restores an asset version, or the
// whole asset when version and label are empty.
type Archiver func(c *azml.Client, ctx context.Context, name, version, label string, archived bool) error

// NewCmdArchive returns the archive verb (archived true) or the restore
// verb of noun ("model"). runF replaces the run function in tests that
// only check flag parsing.
func NewCmdArchive(f *cmdutil.Factory, noun string, archived bool, archive Archiver, runF func(*ArchiveOptions) error) *cobra.Command {
	opts := &ArchiveOptions{}
	verb, what, example := "archive", "Archive", "ml "+noun+" archive -n NAME --version 1\n  ml "+noun+" archive -n NAME"
	long := fmt.Sprintf(`Archive a %[1]s version (--version, or --label latest), or the whole %[1]s
without either. Archived versions are left out of 'ml %[1]s list' (unless
--include-archived) and of the label latest, but stay usable by their
version. Restore with 'ml %[1]s restore'. Prints nothing, as az.`, noun)
	if !archived {
		verb, what, example = "restore", "Restore", "ml "+noun+" restore -n NAME --version 1\n  ml "+noun+" restore -n NAME"
		long = fmt.Sprintf(`Restore an archived %[1]s version (--version, or --label latest), or the
whole %[1]s without either, so it is listed again. Prints nothing, as az.`, noun)
	}
	cmd := &cobra.Command{
		Use:     verb,
		Short:   what + " a " + noun + " or one of its versions",
		Long:    long,
		Example: "  " + example,
		Args:    cobra.NoArgs,
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
			return archive(c, cmd.Context(), opts.Name, opts.Version, opts.Label, archived)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the "+noun+" (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version to "+verb+"; without it (and --label) the whole "+noun)
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the version to "+verb+" (latest)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
