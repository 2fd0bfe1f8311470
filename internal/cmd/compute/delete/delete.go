// Package delete implements `ml compute delete`.
package delete

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml compute delete`.
type Options struct {
	// Name is the compute (-n/--name, required).
	Name string
	// Yes skips the confirmation (-y/--yes); required without a terminal.
	Yes bool
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdDelete returns `ml compute delete`. runF replaces the run function
// in tests that only check flag parsing.
func NewCmdDelete(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a compute",
		Long: `Delete a compute and the cluster behind it. ml asks for confirmation on a
terminal, as az does; in scripts (stdin not a terminal) pass --yes. Waits
for the deletion unless --no-wait.`,
		Example: `  ml compute delete -n batch-cluster
  ml compute delete -n batch-cluster --yes --no-wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the compute (required)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func deleteRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	if err := manage.ConfirmDelete(f, opts.Yes, "compute "+opts.Name); err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	p := manage.NewProgress(f, "Deleting compute "+opts.Name)
	err = c.DeleteCompute(ctx, opts.Name, p.Wait(opts.NoWait))
	p.Done(err == nil)
	if err == nil && opts.NoWait {
		f.Warn("Delete request initiated. Status can be checked using `ml compute show -n %s`", opts.Name)
	}
	return err
}
