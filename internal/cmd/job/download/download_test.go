package download

import (
	"testing"

	"github.com/mlbatch/ml/internal/cmd/cmdtest"
)

// TestDownloadFlags checks flag parsing through the runF hook: what each
// command line becomes, and which are refused before anything runs.
func TestDownloadFlags(t *testing.T) {
	tests := []cmdtest.FlagCase[Options]{
		cmdtest.Case("defaults to the current folder", []string{"-n", "job1"}, Options{Name: "job1", DownloadPath: "."}, "", false),
		cmdtest.Case("short path", []string{"-n", "job1", "-p", "out"}, Options{Name: "job1", DownloadPath: "out"}, "", false),
		cmdtest.Case("long flags", []string{"--name", "job1", "--download-path", "out", "--output-name", "score"}, Options{Name: "job1", DownloadPath: "out", OutputName: "score"}, "", false),
		cmdtest.Case("all", []string{"-n", "job1", "--all"}, Options{Name: "job1", DownloadPath: ".", All: true}, "", false),
		cmdtest.Case("all with an output name", []string{"-n", "job1", "--all", "--output-name", "score"}, Options{}, "--all and --output-name", true),
		cmdtest.Case("empty path", []string{"-n", "job1", "-p", " "}, Options{}, "--download-path", true),
		cmdtest.Case("name required", []string{"-p", "out"}, Options{}, `"name"`, false),
	}
	cmdtest.RunFlagCases(t, tests, NewCmdDownload)
}
