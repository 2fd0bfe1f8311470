package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("everything", nil, Options{}, "", false),
		cmdtest.Case("max results", []string{"-r", "1"}, Options{MaxResults: 1}, "", false),
		cmdtest.Case("negative max results", []string{"--max-results", "-2"}, Options{}, "--max-results -2", true),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
}
