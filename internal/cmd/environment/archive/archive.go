// Package archive implements `ml environment archive`.
package archive

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// NewCmdArchive returns `ml environment archive`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdArchive(f *cmdutil.Factory, runF func(*manage.ArchiveOptions) error) *cobra.Command {
	return manage.NewCmdArchive(f, "environment", true, (*azml.Client).ArchiveEnvironment, runF)
}
