package show

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestShowFlags: what each command line becomes, and which are refused
// before anything runs.
func TestShowFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("version", []string{"-n", "hello_batch", "-v", "3"}, Options{Name: "hello_batch", Version: "3"}, "", false),
		cmdtest.Case("label", []string{"--name", "hello_batch", "--label", "latest"}, Options{Name: "hello_batch", Label: "latest"}, "", false),
		cmdtest.Case("registry", []string{"-n", "finetune", "-l", "latest", "--registry-name", "azureml"}, Options{Name: "finetune", Label: "latest", Registry: "azureml"}, "", false),
		cmdtest.Case("neither", []string{"-n", "hello_batch"}, Options{}, "Must provide either version or label", true),
		cmdtest.Case("both", []string{"-n", "hello_batch", "-v", "1", "-l", "latest"}, Options{}, "--version and --label", true),
		cmdtest.Case("name required", []string{"-v", "1"}, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdShow)
}
