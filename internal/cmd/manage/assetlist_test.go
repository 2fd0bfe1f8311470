package manage

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
)

func TestAssetListFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    azml.ListView
		wantErr string
	}{
		{args: nil, want: azml.ActiveOnly},
		{args: []string{"--include-archived"}, want: azml.AllAssets},
		{args: []string{"-n", "m", "--archived-only"}, want: azml.ArchivedOnly},
		{args: []string{"--include-archived", "--archived-only"}, wantErr: "cannot be used together"},
		{args: []string{"-r", "-1"}, wantErr: "--max-results -1"},
	} {
		var l AssetList
		cmd := &cobra.Command{Use: "list"}
		l.AddFlags(cmd, "a model", "models")
		if err := cmd.ParseFlags(tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		got, err := l.View()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v: View() = %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}
