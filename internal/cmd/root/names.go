package root

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/usertext"
)

// resourceNameFlags name one resource each and become a segment of a
// request's URL path, so "..", "/" or "?" in them would address another
// resource (`ml job download -n ..` read the workspace, not a job). No
// Azure ML resource name contains them.
var resourceNameFlags = map[string]bool{
	"name": true, "endpoint-name": true, "deployment-name": true, "version": true, "label": true,
	"resource-group": true, "workspace-name": true, "job-name": true,
}

// checkNameFlags refuses, before anything runs, flag values that are not
// UTF-8 or hold control characters (any flag naming a resource, and
// --subscription) and resource names that would change a URL's path.
// Paths and free text (--input, --description) are left to their commands.
func checkNameFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil || !(resourceNameFlags[fl.Name] || fl.Name == "subscription") {
			return
		}
		flag := "--" + fl.Name
		for _, v := range values(fl) {
			if err = usertext.Check(flag, v); err != nil {
				return
			}
			if resourceNameFlags[fl.Name] && (v == "." || v == ".." || strings.ContainsAny(v, `/\?#%`)) {
				err = clierr.Usagef("%s: %q is not a valid name: names are letters, digits, '-', '_' and '.', not '.' or '..', with no '/', '\\', '?', '#' or '%%'", flag, v)
				return
			}
		}
	})
	return err
}

// values is what fl was given: each element of a list flag, else its value.
func values(fl *pflag.Flag) []string {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	return []string{fl.Value.String()}
}
