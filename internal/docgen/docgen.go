// Package docgen renders ml's reference documentation from the command
// tree: one Markdown page per command (docs/reference) and one man page per
// command (docs/man, packaged by goreleaser). The output depends on the
// commands alone: no dates, no machine paths, so it is checked in and a
// test fails when it drifts (`make docs` regenerates it).
package docgen

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/mlbatch/ml/internal/cmd/root"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// Folders of the generated files, relative to the repository root.
const (
	MarkdownDir = "docs/reference"
	ManDir      = "docs/man"
)

// Files renders every page, keyed by path relative to the repository root.
func Files() (map[string][]byte, error) {
	cmd := commandTree()
	files := map[string][]byte{}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c.HasParent() || c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		base := strings.ReplaceAll(c.CommandPath(), " ", "_")
		var md bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &md, func(name string) string { return name }); err != nil {
			return fmt.Errorf("markdown for %s: %w", c.CommandPath(), err)
		}
		files[MarkdownDir+"/"+base+".md"] = md.Bytes()
		man, err := manPage(c)
		if err != nil {
			return err
		}
		files[ManDir+"/"+strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = man
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(cmd); err != nil {
		return nil, err
	}
	files[MarkdownDir+"/README.md"] = index(cmd)
	return files, nil
}

// commandTree is ml's root command as the binary builds it, with an
// environment that has nothing set, so no default read from this machine
// reaches the pages.
func commandTree() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Now: time.Now, Globals: &cmdutil.Globals{}}
	cmd := root.NewCmdRoot(f)
	var quiet func(c *cobra.Command)
	quiet = func(c *cobra.Command) {
		// cobra's "Auto generated ... on <date>" footer would change daily.
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			quiet(sub)
		}
	}
	quiet(cmd)
	return cmd
}

// manDate is the date field of the .TH line, which cobra always fills in;
// it is blanked after rendering.
var (
	manDate   = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
	thDateRef = regexp.MustCompile(`(?m)^(\.TH "[^"]*" "[^"]*" )"` + manDate.Format("Jan 2006") + `"`)
)

func manPage(c *cobra.Command) ([]byte, error) {
	var b bytes.Buffer
	header := &doc.GenManHeader{Title: strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-")), Section: "1", Source: "ml", Manual: "ml manual", Date: &manDate}
	if err := doc.GenMan(c, header, &b); err != nil {
		return nil, fmt.Errorf("man page for %s: %w", c.CommandPath(), err)
	}
	out := thDateRef.ReplaceAll(b.Bytes(), []byte(`$1""`))
	if bytes.Equal(out, b.Bytes()) {
		return nil, fmt.Errorf("man page for %s: no .TH date to blank (has cobra's man header changed?)", c.CommandPath())
	}
	return out, nil
}

// index is docs/reference/README.md: every command with its summary.
func index(root *cobra.Command) []byte {
	var b bytes.Buffer
	b.WriteString("# ml command reference\n\n")
	b.WriteString("Generated from the command tree by `make docs`; do not edit by hand. Man pages: [`docs/man`](../man).\n\n")
	var rows []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c.HasParent() || c.IsAdditionalHelpTopicCommand() {
			return
		}
		rows = append(rows, fmt.Sprintf("| [`%s`](%s.md) | %s |", c.CommandPath(), strings.ReplaceAll(c.CommandPath(), " ", "_"), strings.ReplaceAll(c.Short, "|", `\|`)))
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	b.WriteString("| Command | What it does |\n|---|---|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
	return b.Bytes()
}

// Write replaces the generated folders under repo with the pages.
func Write(repo string, files map[string][]byte) error {
	for _, dir := range []string{MarkdownDir, ManDir} {
		if err := os.RemoveAll(filepath.Join(repo, dir)); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(repo, dir), 0o755); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(repo, filepath.FromSlash(name)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Diff compares the pages with the files under repo and describes every
// page that is missing, extra or different; "" when they match.
func Diff(repo string, files map[string][]byte) (string, error) {
	var problems []string
	have := map[string]bool{}
	for _, dir := range []string{MarkdownDir, ManDir} {
		entries, err := os.ReadDir(filepath.Join(repo, dir))
		if err != nil && !os.IsNotExist(err) {
			return "", err
		}
		for _, e := range entries {
			name := dir + "/" + e.Name()
			have[name] = true
			if _, ok := files[name]; !ok {
				problems = append(problems, "extra "+name+" (no such command any more)")
			}
		}
	}
	for name, want := range files {
		if !have[name] {
			problems = append(problems, "missing "+name)
			continue
		}
		got, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(name)))
		if err != nil {
			return "", err
		}
		if !bytes.Equal(got, want) {
			problems = append(problems, "out of date "+name)
		}
	}
	sort.Strings(problems)
	return strings.Join(problems, "\n"), nil
}

// Main is `go run ./cmd/gen-docs [repo]`: it writes the pages under repo
// (default ".") and says how many.
func Main(args []string, stdout io.Writer) error {
	repo := "."
	if len(args) > 0 {
		repo = args[0]
	}
	files, err := Files()
	if err != nil {
		return err
	}
	if err := Write(repo, files); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d pages to %s and %s\n", len(files), MarkdownDir, ManDir)
	return nil
}
