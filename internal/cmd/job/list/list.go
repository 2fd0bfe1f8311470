// Package list implements `ml job list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// DefaultMaxResults is how many jobs are listed without --max-results or
// --all-results (az's MAX_LIST_CLI_RESULTS).
const DefaultMaxResults = 50

// Options are the parsed flags of `ml job list`.
type Options struct {
	// MaxResults caps the list (-r/--max-results); DefaultMaxResults when
	// not given.
	MaxResults int
	// AllResults lists every job and overrides MaxResults, as in az.
	AllResults bool
}

// NewCmdList returns `ml job list`. runF replaces the run function in tests
// that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the jobs of the workspace",
		Long: `List the workspace's jobs, newest first, each with the keys of 'ml job show'.
Like az, at most 50 are listed unless -r/--max-results or --all-results says
otherwise (--all-results wins over -r); when the list is cut, a warning on
stderr says so.`,
		Example: `  ml job list
  ml job list -r 10 --query "[].{name:name, status:status}" -o table
  ml job list --all-results --query "[?status=='Failed'].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxResults < 1 {
				return clierr.Usagef("--max-results %d: must be at least 1 (use --all-results for every job)", opts.MaxResults)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&opts.MaxResults, "max-results", "r", DefaultMaxResults, "Max number of results to return")
	fl.BoolVar(&opts.AllResults, "all-results", false, "Return every job (overrides --max-results)")
	return cmd
}

func listRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	max := opts.MaxResults
	if opts.AllResults {
		max = 0
	} else {
		// One more than asked tells a list that was cut from one that was
		// exactly that long.
		max++
	}
	jobs, err := c.ListJobs(ctx, max)
	if err != nil {
		return err
	}
	if !opts.AllResults && len(jobs) > opts.MaxResults {
		jobs = jobs[:opts.MaxResults]
		f.Warn("Displaying top %d results from the list command; pass --all-results for every job.", opts.MaxResults)
	}
	views := make([]map[string]any, 0, len(jobs))
	for _, j := range jobs {
		if j != nil {
			views = append(views, azml.JobView(j))
		}
	}
	return f.Print(views)
}
