package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shellCommand is an ml command line in a shell code block: at the start of
// a line (after an optional "$ " prompt), or after "$(", "|", ";" or "&&".
// "az ml ..." is az's, not ours.
var shellCommand = regexp.MustCompile(`(?:^(?:\$\s+)?|\$\(|[|;]\s*|&&\s*)ml\s+([a-z][^)|;&\n]*)`)

// nonShell are the fenced block languages that hold no command lines.
var nonShell = map[string]bool{"json": true, "yaml": true, "yml": true, "go": true, "python": true, "http": true, "text": true}

// TestDocsNameExistingCommands reads README.md and docs/**/*.md: every ml
// command line in a shell code block and every `ml ...` code span must name
// a command that exists and only flags that command has, so a newcomer who
// copies one from the docs is never told "unknown command" or "unknown
// flag". A failure names the file and line.
func TestDocsNameExistingCommands(t *testing.T) {
	tree := newTree()

	files := []string{"../../README.md"}
	err := filepath.WalkDir("../../docs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(filepath.ToSlash(file), "../../")
		for _, c := range docCommands(string(data)) {
			checked++
			if problem := checkCommandLine(tree, c.line); problem != "" {
				t.Errorf("%s:%d names `ml %s`: %s", name, c.lineNo, c.line, problem)
			}
		}
	}
	t.Logf("checked %d command lines in %d files", checked, len(files))
	if checked < 30 {
		t.Fatalf("checked only %d command lines in %d files; the patterns find nothing", checked, len(files))
	}
}

// docCommand is one ml command line of a Markdown file (without "ml ").
type docCommand struct {
	lineNo int
	line   string
}

// docCommands finds the ml command lines of a Markdown document: in shell
// code blocks (continuation lines joined, comments dropped) and in inline
// code spans of the prose.
func docCommands(doc string) []docCommand {
	var out []docCommand
	lines := strings.Split(doc, "\n")
	inBlock, shell := false, false
	for i := 0; i < len(lines); i++ {
		line, lineNo := lines[i], i+1
		if fence, ok := strings.CutPrefix(strings.TrimSpace(line), "```"); ok {
			inBlock = !inBlock
			shell = inBlock && !nonShell[strings.TrimSpace(fence)]
			continue
		}
		if !inBlock {
			for _, m := range quotedCommand.FindAllStringSubmatch(line, -1) {
				out = append(out, docCommand{lineNo, m[1]})
			}
			continue
		}
		if !shell {
			continue
		}
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSpace(strings.TrimSuffix(line, `\`)) + " " + strings.TrimSpace(lines[i])
		}
		if j := strings.Index(line, " #"); j >= 0 {
			line = line[:j]
		}
		for _, m := range shellCommand.FindAllStringSubmatch(strings.TrimSpace(line), -1) {
			out = append(out, docCommand{lineNo, strings.TrimSpace(m[1])})
		}
	}
	return out
}

func TestDocCommandsFindsEveryForm(t *testing.T) {
	doc := "Start with `ml local serve --detach`, not `az ml job show`.\n" +
		"```sh\n" +
		"ml batch-endpoint create -f e.yml   # --not-a-flag in a comment\n" +
		"JOB=$(ml batch-endpoint invoke -n e --input d --query name -o tsv)\n" +
		"$ ml job stream -n \"$JOB\" > log\n" +
		"az ml job show -n x\n" +
		"ml batch-endpoint invoke -n e \\\n  --set a=1\n" +
		"```\n" +
		"```json\n{\"x\": \"ml job list\"}\n```\n"
	got := docCommands(doc)
	want := []docCommand{
		{1, "local serve --detach"},
		{3, "batch-endpoint create -f e.yml"},
		{4, "batch-endpoint invoke -n e --input d --query name -o tsv"},
		{5, `job stream -n "$JOB" > log`},
		{7, "batch-endpoint invoke -n e --set a=1"},
	}
	if len(got) != len(want) {
		t.Fatalf("docCommands = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
