package show

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestShowFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestShowFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("short name", []string{"-n", "job1"}, Options{Name: "job1"}, "", false),
		cmdtest.Case("long name", []string{"--name", "job1"}, Options{Name: "job1"}, "", false),
		cmdtest.Case("name required", nil, Options{}, `"name"`, false),
		cmdtest.Case("web", []string{"-n", "job1", "--web"}, Options{Name: "job1", Web: true}, "", false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdShow)
}
