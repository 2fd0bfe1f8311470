package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/cmd/root"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// quotedCommand is a command line a message quotes: `ml noun verb --flag`
// or 'ml noun verb --flag'.
var quotedCommand = regexp.MustCompile("[`']ml ([a-z][^`'\\n]*)[`']")

// exampleCommand is a command line in an Example: at the start of a line,
// after a space, or inside $(...).
var exampleCommand = regexp.MustCompile(`(?m)(?:^|[\s(])ml ([a-z][^)\n|;]*)`)

// TestMessagesNameExistingCommands reads every message and help text of
// the code (Go sources outside tests) and every command's examples, and
// checks that each `ml ...` command line they quote names a command that
// exists and only flags that command has: a hint that names a command or
// flag ml does not have sends the user nowhere.
func TestMessagesNameExistingCommands(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	tree := root.NewCmdRoot(&cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Globals: &cmdutil.Globals{}})

	checked := 0
	check := func(where, line string) {
		t.Helper()
		checked++
		if problem := checkCommandLine(tree, line); problem != "" {
			t.Errorf("%s: `ml %s`: %s", where, line, problem)
		}
	}
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range quotedCommand.FindAllStringSubmatch(string(data), -1) {
				check(p, m[1])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, m := range exampleCommand.FindAllStringSubmatch(c.Example, -1) {
			check(c.CommandPath()+" example", m[1])
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(tree)
	if checked < 20 {
		t.Fatalf("checked only %d command lines; the patterns find nothing", checked)
	}
}

// checkCommandLine resolves the words of line (after "ml") to a command
// and checks the flags it names; "" when all is well.
func checkCommandLine(tree *cobra.Command, line string) string {
	cmd := tree
	words := strings.Fields(line)
	i := 0
	for ; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "-") {
			break
		}
		var next *cobra.Command
		for _, sub := range cmd.Commands() {
			if sub.Name() == w || sub.HasAlias(w) {
				next = sub
			}
		}
		if next == nil {
			if cmd == tree || cmd.HasSubCommands() {
				return "no command " + strings.TrimSpace(cmd.CommandPath()+" "+w)
			}
			break // an argument
		}
		cmd = next
	}
	for ; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" || strings.ContainsAny(w, "%<$") && !strings.HasPrefix(w, "--") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if name == "" || strings.ContainsAny(name, "%<>$.") {
			continue
		}
		var found bool
		if strings.HasPrefix(w, "--") {
			found = cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil
		} else {
			found = len(name) == 1 && (cmd.Flags().ShorthandLookup(name) != nil || cmd.InheritedFlags().ShorthandLookup(name) != nil)
		}
		if !found {
			return cmd.CommandPath() + " has no flag " + w
		}
	}
	return ""
}
