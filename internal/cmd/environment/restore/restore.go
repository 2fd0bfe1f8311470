// Package restore implements `ml environment restore`.
package restore

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdRestore returns `ml environment restore`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdRestore(f *cmdutil.Factory, runF func(*manage.ArchiveOptions) error) *cobra.Command {
	return manage.NewCmdArchive(f, "environment", false, (*azml.Client).ArchiveEnvironment, runF)
}
