package show

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestShowFlags checks flag parsing through the runF hook, --registry-name
// included.
func TestShowFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("workspace version", []string{"-n", "heart", "-v", "1"}, Options{Name: "heart", Version: "1"}, "", false),
		cmdtest.Case("registry latest", []string{"-n", "bert", "-l", "latest", "--registry-name", "azureml"}, Options{Name: "bert", Label: "latest", Registry: "azureml"}, "", false),
		cmdtest.Case("neither version nor label", []string{"-n", "bert", "--registry-name", "azureml"}, Options{}, "--version", true),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdShow)
}
