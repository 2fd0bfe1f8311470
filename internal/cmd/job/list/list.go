// Package list implements `ml job list`.
package list

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
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
	// ParentJobName lists the child jobs (steps) of that job instead
	// (-p/--parent-job-name).
	ParentJobName string
	// IncludeArchived and ArchivedOnly choose the list view, as in az.
	IncludeArchived, ArchivedOnly bool
}

// NewCmdList returns `ml job list`. runF replaces the run function in tests
// that only check flag parsing.
func NewCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the jobs of the workspace",
		Long: `List the workspace's jobs, newest first, each with the keys of 'ml job show'.
With -p/--parent-job-name, list that job's child jobs instead: the steps of
a pipeline job, or the batchscoring step of a batch endpoint job (name,
display_name, status, compute, creation_context ...), as az lists them from
run history. Like az, at most 50 are listed unless -r/--max-results or
--all-results says otherwise (--all-results wins over -r); when the list is
cut, a warning on stderr says so. Archived jobs are left out unless
--include-archived or --archived-only.`,
		Example: `  ml job list
  ml job list -r 10 --query "[].{name:name, status:status}" -o table
  ml job list --all-results --query "[?status=='Failed'].name" -o tsv
  ml job list --parent-job-name $JOB --query "[].name" -o tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxResults < 1 {
				return clierr.Usagef("--max-results %d: must be at least 1 (use --all-results for every job)", opts.MaxResults)
			}
			if _, err := manage.ListView(opts.IncludeArchived, opts.ArchivedOnly); err != nil {
				return err
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
	fl.StringVarP(&opts.ParentJobName, "parent-job-name", "p", "", "Name of a job: list its child jobs")
	fl.BoolVar(&opts.IncludeArchived, "include-archived", false, "List archived jobs as well as active ones")
	fl.BoolVar(&opts.ArchivedOnly, "archived-only", false, "List archived jobs only")
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
	var views []map[string]any
	if opts.ParentJobName != "" {
		children, err := c.ListChildJobs(ctx, opts.ParentJobName, max)
		if err != nil {
			return err
		}
		for _, ch := range children {
			views = append(views, c.ChildJobView(ch))
		}
	} else {
		view, _ := manage.ListView(opts.IncludeArchived, opts.ArchivedOnly)
		jobs, err := c.ListJobs(ctx, view, max)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if j != nil {
				views = append(views, azml.JobView(j))
			}
		}
	}
	if !opts.AllResults && len(views) > opts.MaxResults {
		views = views[:opts.MaxResults]
		f.Warn("Displaying top %d results from the list command; pass --all-results for every job.", opts.MaxResults)
	}
	if views == nil {
		views = []map[string]any{}
	}
	return f.Print(views)
}
