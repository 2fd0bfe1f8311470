// Package list implements `ml compute list`.
package list

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml compute list`.
type Options struct {
	// Type keeps computes of one type (--type, e.g. amlcompute).
	Type string
	// MaxResults caps the list (-r/--max-results); 0 lists everything.
	MaxResults int
}

// NewCmdList returns `ml compute list`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the computes of the workspace",
		Long: `List the workspace's computes with the keys of 'ml compute show'. --type keeps
one type (amlcompute, computeinstance, kubernetes ...), compared without
regard to case, as az does.`,
		Example: `  ml compute list --query "[].{name:name, state:provisioning_state}" -o table
  ml compute list --type amlcompute --query "[].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxResults < 0 {
				return clierr.Usagef("--max-results %d: must be positive (omit it to list everything)", opts.MaxResults)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Type, "type", "t", "", "Only list computes of this type (e.g. amlcompute)")
	fl.IntVarP(&opts.MaxResults, "max-results", "r", 0, "Max number of results to return (default: all)")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	max := opts.MaxResults
	if opts.Type != "" {
		max = 0 // filtered after listing, as az does
	}
	computes, err := c.ListComputes(ctx, max)
	if err != nil {
		return err
	}
	views := []map[string]any{}
	for _, r := range computes {
		v := azml.ComputeView(r)
		if opts.Type != "" && !strings.EqualFold(v["type"].(string), opts.Type) {
			continue
		}
		if opts.MaxResults > 0 && len(views) == opts.MaxResults {
			break
		}
		views = append(views, v)
	}
	return f.Print(views)
}
