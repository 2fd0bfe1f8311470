package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("defaults to az's 50", nil, Options{MaxResults: DefaultMaxResults}, "", false),
		cmdtest.Case("short max results", []string{"-r", "5"}, Options{MaxResults: 5}, "", false),
		cmdtest.Case("long max results", []string{"--max-results", "7"}, Options{MaxResults: 7}, "", false),
		cmdtest.Case("all results", []string{"--all-results"}, Options{MaxResults: DefaultMaxResults, AllResults: true}, "", false),
		cmdtest.Case("parent job", []string{"--parent-job-name", "j1", "-r", "2"}, Options{MaxResults: 2, ParentJobName: "j1"}, "", false),
		cmdtest.Case("short parent job", []string{"-p", "j1", "--all-results"}, Options{MaxResults: DefaultMaxResults, ParentJobName: "j1", AllResults: true}, "", false),
		cmdtest.Case("archived", []string{"--archived-only"}, Options{MaxResults: DefaultMaxResults, ArchivedOnly: true}, "", false),
		cmdtest.Case("both archived views", []string{"--archived-only", "--include-archived"}, Options{}, "cannot be used together", true),
		cmdtest.Case("zero max results", []string{"-r", "0"}, Options{}, "--max-results 0", true),
		cmdtest.Case("negative max results", []string{"-r", "-3"}, Options{}, "--max-results -3", true),
		cmdtest.Case("not a number", []string{"-r", "many"}, Options{}, "invalid argument", false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
}
