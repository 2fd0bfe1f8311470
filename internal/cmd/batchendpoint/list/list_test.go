package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("no flags", nil, Options{}, "", false),
		cmdtest.Case("no positional arguments", []string{"ep"}, Options{}, "unknown command", false),
		cmdtest.Case("no name flag", []string{"-n", "ep"}, Options{}, "unknown shorthand flag", false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
}
