// Package status implements `ml local status`.
package status

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// Status is what `ml local status` prints; the token is never shown.
type Status struct {
	Running       bool   `json:"running"`
	URL           string `json:"url"`
	PID           int    `json:"pid"`
	Dir           string `json:"dir"`
	Subscription  string `json:"subscription"`
	ResourceGroup string `json:"resourceGroup"`
	Workspace     string `json:"workspace"`
	StartedAt     string `json:"startedAt"`
}

// NewCmdStatus returns `ml local status`.
func NewCmdStatus(f *cmdutil.Factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show whether the local workspace is running, and where",
		Long:    "Show the local workspace's URL, pid and workspace names. Exits 3 when none is running.",
		Example: "  ml local status\n  ml local status --query url -o tsv",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := Check(cmd.Context(), f, dir)
			if err != nil {
				return err
			}
			return f.Print(st)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "State folder (default $"+localws.EnvDir+", else ~/.ml/local)")
	return cmd
}

// Check reads DIR/server.json and probes the server; a missing file, a dead
// process or a server that does not answer is a not-found error.
func Check(ctx context.Context, f *cmdutil.Factory, dir string) (*Status, error) {
	if dir == "" {
		dir = f.Getenv(localws.EnvDir)
	}
	if dir == "" {
		d, err := localws.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	info, err := localinfo.Read(dir)
	if err != nil {
		return nil, &clierr.NotFoundError{Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.URL+"/subscriptions/"+info.Subscription+"/resourceGroups/"+info.ResourceGroup+"/providers/Microsoft.MachineLearningServices/workspaces/"+info.Workspace+"?api-version=2024-04-01", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, clierr.NotFoundf("the local workspace at %s does not answer: %v", info.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the local workspace at %s answered %s", info.URL, resp.Status)
	}
	return &Status{
		Running: true, URL: info.URL, PID: info.PID, Dir: dir,
		Subscription: info.Subscription, ResourceGroup: info.ResourceGroup, Workspace: info.Workspace,
		StartedAt: info.StartedAt.UTC().Format(time.RFC3339),
	}, nil
}
