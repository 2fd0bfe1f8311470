package manage

import (
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
)

// AssetList are the flags az's asset list commands share (`ml model list`,
// `ml environment list`): -n lists one asset's versions instead of the
// assets, -r caps the count, and the archive view.
type AssetList struct {
	// Name lists the versions of one asset (-n/--name); empty lists the
	// assets.
	Name string
	// MaxResults caps the list (-r/--max-results); 0 lists everything.
	MaxResults int
	// IncludeArchived and ArchivedOnly choose the list view, as in az.
	IncludeArchived, ArchivedOnly bool
}

// AddFlags registers the flags on cmd; one and many name the asset in
// their help ("a model", "models").
func (l *AssetList) AddFlags(cmd *cobra.Command, one, many string) {
	fl := cmd.Flags()
	fl.StringVarP(&l.Name, "name", "n", "", "Name of "+one+": list its versions instead of the "+many)
	fl.IntVarP(&l.MaxResults, "max-results", "r", 0, "Max number of results to return (default: all)")
	fl.BoolVar(&l.IncludeArchived, "include-archived", false, "List archived "+many+" as well as active ones")
	fl.BoolVar(&l.ArchivedOnly, "archived-only", false, "List archived "+many+" only")
}

// View checks the flags and returns the list view they select.
func (l *AssetList) View() (azml.ListView, error) {
	if l.MaxResults < 0 {
		return "", clierr.Usagef("--max-results %d: must be positive (omit it to list everything)", l.MaxResults)
	}
	return ListView(l.IncludeArchived, l.ArchivedOnly)
}
