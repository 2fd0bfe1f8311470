package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListFlags: the listing views and the limits.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("all components", nil, Options{}, "", false),
		cmdtest.Case("versions", []string{"-n", "hello_batch", "-r", "5"}, Options{Name: "hello_batch", MaxResults: 5}, "", false),
		cmdtest.Case("archived", []string{"--archived-only"}, Options{ArchivedOnly: true}, "", false),
		cmdtest.Case("both views", []string{"--archived-only", "--include-archived"}, Options{}, "cannot be used together", true),
		cmdtest.Case("negative max", []string{"-r", "-1"}, Options{}, "--max-results -1", true),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
	for opts, want := range map[Options]azml.ListView{{}: azml.ActiveOnly, {IncludeArchived: true}: azml.AllAssets, {ArchivedOnly: true}: azml.ArchivedOnly} {
		if got := opts.View(); got != want {
			t.Errorf("%+v.View() = %q, want %q", opts, got, want)
		}
	}
}
