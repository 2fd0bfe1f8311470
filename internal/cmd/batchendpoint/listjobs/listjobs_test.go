package listjobs

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestListJobsFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestListJobsFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("endpoint only", []string{"-n", "ep"}, Options{Name: "ep"}, "", false),
		cmdtest.Case("deployment filter, short", []string{"-n", "ep", "-d", "blue"}, Options{Name: "ep", Deployment: "blue"}, "", false),
		cmdtest.Case("deployment filter, long", []string{"--name", "ep", "--deployment-name", "blue"}, Options{Name: "ep", Deployment: "blue"}, "", false),
		cmdtest.Case("name required", []string{"-d", "blue"}, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdListJobs)
}
