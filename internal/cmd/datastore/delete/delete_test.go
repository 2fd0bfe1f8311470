package delete

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestDeleteFlags checks flag parsing through the runF hook.
func TestDeleteFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("short name", []string{"-n", "images"}, Options{Name: "images"}, "", false),
		cmdtest.Case("long name", []string{"--name", "images"}, Options{Name: "images"}, "", false),
		cmdtest.Case("name required", nil, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdDelete)
}
