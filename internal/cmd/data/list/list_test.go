package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("containers", nil, Options{}, "", false),
		cmdtest.Case("versions of one", []string{"-n", "heart"}, Options{Name: "heart"}, "", false),
		cmdtest.Case("max results", []string{"--name", "heart", "-r", "2"}, Options{Name: "heart", MaxResults: 2}, "", false),
		cmdtest.Case("negative max results", []string{"-r", "-1"}, Options{}, "--max-results -1", true),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
}
