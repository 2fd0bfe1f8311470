// Package delete implements `ml batch-deployment delete`.
package delete

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml batch-deployment delete`.
type Options struct {
	// Name and EndpointName name the deployment (-n, -e; required).
	Name, EndpointName string
	// Yes skips the confirmation (-y/--yes); required without a terminal.
	Yes bool
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdDelete returns `ml batch-deployment delete`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdDelete(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a batch deployment",
		Long: `Delete a deployment of a batch endpoint. ml asks for confirmation on a
terminal, as az does; in scripts (stdin not a terminal) pass --yes. Waits for
the deletion unless --no-wait. A missing deployment exits 3.`,
		Example: `  ml batch-deployment delete -e heart-classifier -n classifier-logreg
  ml batch-deployment delete -e heart-classifier -n classifier-logreg --yes --no-wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the deployment (required)")
	fl.StringVarP(&opts.EndpointName, "endpoint-name", "e", "", "Name of the batch endpoint (required)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask for confirmation")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("endpoint-name")
	return cmd
}

func deleteRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	what := fmt.Sprintf("deployment %s of batch endpoint %s", opts.Name, opts.EndpointName)
	if err := manage.ConfirmDelete(f, opts.Yes, what); err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	p := manage.NewProgress(f, "Deleting "+what)
	err = c.DeleteDeployment(ctx, opts.EndpointName, opts.Name, p.Wait(opts.NoWait))
	p.Done(err == nil)
	if err == nil && opts.NoWait {
		f.Warn("Delete request initiated. Status can be checked using `ml batch-deployment show -e %s -n %s`", opts.EndpointName, opts.Name)
	}
	return err
}
