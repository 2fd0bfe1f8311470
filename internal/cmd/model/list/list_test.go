package list

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
	"github.com/mlbatch/ml/internal/cmd/manage"
)

// TestListFlags checks flag parsing through the runF hook, --registry-name
// included.
func TestListFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("workspace models", nil, Options{}, "", false),
		cmdtest.Case("registry versions", []string{"-n", "bert", "--registry-name", "azureml"}, Options{AssetList: manage.AssetList{Name: "bert"}, Registry: "azureml"}, "", false),
		cmdtest.Case("registry models, archived too", []string{"--registry-name", "azureml", "--include-archived"}, Options{AssetList: manage.AssetList{IncludeArchived: true}, Registry: "azureml"}, "", false),
		cmdtest.Case("registry versions, archived", []string{"-n", "bert", "--registry-name", "azureml", "--archived-only"}, Options{}, "--include-archived/--archived-only with --registry-name", true),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdList)
}
