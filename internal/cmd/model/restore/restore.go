// Package restore implements `ml model restore`.
package restore

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdRestore returns `ml model restore`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdRestore(f *cmdutil.Factory, runF func(*manage.ArchiveOptions) error) *cobra.Command {
	return manage.NewCmdArchive(f, "model", false, (*azml.Client).ArchiveModel, runF)
}
