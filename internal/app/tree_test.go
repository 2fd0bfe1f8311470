package app

import (
	"regexp"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlbatch/ml/internal/cmd/root"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

var flagName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestCommandTreeSanity walks every command, as kubectl's sanity check does:
// each has a short description and an example, and every flag name is
// lowercase words joined by dashes.
func TestCommandTreeSanity(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}}
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		count++
		if c.Short == "" {
			t.Errorf("%q has no short description", c.CommandPath())
		}
		if c.Example == "" {
			t.Errorf("%q has no example", c.CommandPath())
		}
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			if !flagName.MatchString(fl.Name) {
				t.Errorf("%q: flag --%s is not lowercase-dash", c.CommandPath(), fl.Name)
			}
			if fl.Shorthand != "" && len(fl.Shorthand) != 1 {
				t.Errorf("%q: flag --%s has shorthand %q", c.CommandPath(), fl.Name, fl.Shorthand)
			}
			if fl.Usage == "" && !fl.Hidden {
				t.Errorf("%q: flag --%s has no help text", c.CommandPath(), fl.Name)
			}
		})
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			walk(sub)
		}
	}
	walk(root.NewCmdRoot(f))
	if count < 4 {
		t.Fatalf("walked only %d commands; the tree is not wired", count)
	}
}
