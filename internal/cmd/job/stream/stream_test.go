package stream

import (
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestStreamFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestStreamFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("name", []string{"-n", "job1"}, Options{Name: "job1"}, "", false),
		cmdtest.Case("timeout", []string{"-n", "job1", "--timeout", "90s"}, Options{Name: "job1", Timeout: 90 * time.Second}, "", false),
		cmdtest.Case("negative timeout", []string{"-n", "job1", "--timeout", "-1m"}, Options{}, "--timeout", true),
		cmdtest.Case("name required", nil, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdStream)
}
