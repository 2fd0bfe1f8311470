package show

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestShowFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestShowFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("short name", []string{"-n", "workspaceblobstore"}, Options{Name: "workspaceblobstore"}, "", false),
		cmdtest.Case("long name", []string{"--name", "workspaceblobstore"}, Options{Name: "workspaceblobstore"}, "", false),
		cmdtest.Case("name required", nil, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdShow)
}
