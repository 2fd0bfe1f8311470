// Package stop implements `ml local stop`.
package stop

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/local/shared"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// NewCmdStop returns `ml local stop`.
func NewCmdStop(f *cmdutil.Factory) *cobra.Command {
	var dir string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:     "stop",
		Short:   "Stop the local workspace",
		Long:    "Stop the local workspace gracefully (SIGTERM) and wait until it has gone. Running jobs are canceled; their outputs so far are kept.",
		Example: "  ml local stop\n  ml local stop --dir ./ws",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				dir = f.Getenv(localws.EnvDir)
			}
			if dir == "" {
				d, err := localws.DefaultDir()
				if err != nil {
					return err
				}
				dir = d
			}
			info, err := localinfo.Read(dir)
			var stale *localinfo.StaleError
			if errors.As(err, &stale) {
				_ = os.Remove(filepath.Join(dir, localinfo.FileName))
				fmt.Fprintf(f.IOStreams.ErrOut, "The local workspace in %s was not running: its server (pid %d) is gone (removed its stale server.json).\n", dir, stale.Info.PID)
				return nil
			}
			if err != nil {
				return &clierr.NotFoundError{Err: err}
			}
			if err := shared.Terminate(info.PID); err != nil {
				return fmt.Errorf("stop pid %d: %w", info.PID, err)
			}
			deadline := time.Now().Add(timeout)
			for time.Now().Before(deadline) {
				_, statErr := os.Stat(filepath.Join(dir, localinfo.FileName))
				if errors.Is(statErr, fs.ErrNotExist) && !localinfo.Holds(dir) {
					fmt.Fprintf(f.IOStreams.ErrOut, "Stopped the local workspace at %s.\n", info.URL)
					return nil
				}
				time.Sleep(100 * time.Millisecond)
			}
			return fmt.Errorf("the local workspace (pid %d) did not stop within %s; kill it with `kill -9 %d`", info.PID, timeout, info.PID)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "State folder (default $"+localws.EnvDir+", else ~/.ml/local)")
	cmd.Flags().DurationVar(&timeout, "timeout", 20*time.Second, "How long to wait for the server to stop")
	return cmd
}
