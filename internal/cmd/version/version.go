// Package version implements `ml version`.
package version

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/build"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Info is what `ml version -o json` prints.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// NewCmdVersion returns `ml version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of ml",
		Example: "  ml version\n  ml version -o json --query version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := Info{build.Version, build.Commit, build.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH}
			if f.Globals.Output == "" && f.Globals.Query == "" && f.Globals.JQ == "" {
				_, err := fmt.Fprintf(f.IOStreams.Out, "ml %s (commit %s, built %s, %s %s/%s)\n",
					info.Version, info.Commit, info.Date, info.Go, info.OS, info.Arch)
				return err
			}
			return f.Print(info)
		},
	}
}
