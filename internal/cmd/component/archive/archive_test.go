package archive

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestArchiveFlags: a version, a label or neither (the whole component).
func TestArchiveFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("whole component", []string{"-n", "hello_batch"}, Options{Name: "hello_batch"}, "", false),
		cmdtest.Case("version", []string{"-n", "hello_batch", "--version", "2"}, Options{Name: "hello_batch", Version: "2"}, "", false),
		cmdtest.Case("label", []string{"-n", "hello_batch", "-l", "latest"}, Options{Name: "hello_batch", Label: "latest"}, "", false),
		cmdtest.Case("both", []string{"-n", "hello_batch", "-v", "1", "-l", "latest"}, Options{}, "--version and --label", true),
		cmdtest.Case("name required", []string{"-v", "1"}, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdArchive)
}
