package invoke_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/app"
	"github.com/mlbatch/ml/internal/iostreams"
)

// TestInvokeRejectsBeforeAnyRequest: bad combinations of follow flags and
// bad input are usage errors (exit 2) raised before a client is built, so
// nothing is sent (there is no workspace configured at all here).
func TestInvokeRejectsBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-n", "ep", "--input", "https://a/b", "--stream", "--wait"}, "--stream and --wait"},
		{[]string{"-n", "ep", "--input", "https://a/b", "--timeout", "5m"}, "--timeout only applies"},
		{[]string{"-n", "ep", "--input", "./missing-folder"}, "missing-folder"},
		{[]string{"-n", "ep", "--input-type", "mltable", "--input", "azureml:x:1"}, "Unsupported input"},
		{[]string{"-n", "ep", "--set", "nope=1"}, `unknown key "nope"`},
	}
	for _, tt := range tests {
		ios, _, _, errOut := iostreams.Test()
		code := app.Run(context.Background(), append([]string{"batch-endpoint", "invoke"}, tt.args...), ios, func(k string) string {
			if k == "AZURE_CONFIG_DIR" || k == "HOME" {
				return t.TempDir()
			}
			return ""
		})
		if code != app.ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tt.args, code, errOut, tt.want)
		}
	}
}
