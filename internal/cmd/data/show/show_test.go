package show

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestShowFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestShowFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("version", []string{"-n", "heart", "-v", "3"}, Options{Name: "heart", Version: "3"}, "", false),
		cmdtest.Case("label", []string{"--name", "heart", "--label", "latest"}, Options{Name: "heart", Label: "latest"}, "", false),
		cmdtest.Case("neither", []string{"-n", "heart"}, Options{}, "Must provide either version or label", true),
		cmdtest.Case("both", []string{"-n", "heart", "-v", "1", "-l", "latest"}, Options{}, "--version and --label", true),
		cmdtest.Case("name required", []string{"-v", "1"}, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdShow)
}
