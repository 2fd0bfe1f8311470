package layering

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/mlbatch/ml/"

// listImports runs `go list` over the module: each package's direct imports
// (with tests' when tests is set) and, separately, its transitive deps.
func listImports(t *testing.T, format string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", format, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 {
			pkgs[fields[0]] = fields[1:]
		}
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; want the whole module", len(pkgs))
	}
	return pkgs
}

// TestClientDoesNotDependOnTheServer: internal/azml reaches the local
// workspace over HTTP only, and reads its address through
// internal/localinfo, never by linking the server in.
func TestClientDoesNotDependOnTheServer(t *testing.T) {
	deps := listImports(t, `{{.ImportPath}} {{join .Deps " "}}`)
	client := module + "internal/azml"
	if _, ok := deps[client]; !ok {
		t.Fatalf("%s not found by go list", client)
	}
	for _, d := range deps[client] {
		if d == module+"internal/localws" || strings.HasPrefix(d, module+"internal/localws/") {
			t.Errorf("%s depends on %s: the client must not import the local server", client, d)
		}
	}
}

// TestEnginesHaveNoHTTPAndNoCobra: the batch runtime and the pipeline
// engine are libraries the server calls; HTTP and commands live above them.
func TestEnginesHaveNoHTTPAndNoCobra(t *testing.T) {
	deps := listImports(t, `{{.ImportPath}} {{join .Deps " "}}`)
	for pkg, ds := range deps {
		if !isEngine(pkg) {
			continue
		}
		for _, d := range ds {
			if d == "net/http" || strings.HasPrefix(d, "github.com/spf13/cobra") {
				t.Errorf("engine %s depends on %s", pkg, d)
			}
		}
	}
}

func isEngine(pkg string) bool {
	for _, e := range []string{"internal/batchrun", "internal/pipeline"} {
		if pkg == module+e || strings.HasPrefix(pkg, module+e+"/") {
			return true
		}
	}
	return false
}

// TestNoImportAboveTheParent: a package may use its parent (a benchmark
// of it, say) but nothing higher up its own path, so dependencies point
// down the tree.
func TestNoImportAboveTheParent(t *testing.T) {
	imports := listImports(t, `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`)
	for pkg, is := range imports {
		for _, imp := range is {
			if aboveParent(pkg, imp) {
				t.Errorf("%s imports %s, a package above its parent", pkg, imp)
			}
		}
	}
}

// aboveParent reports whether imp is an ancestor of pkg's parent.
func aboveParent(pkg, imp string) bool {
	parent := pkg[:max(strings.LastIndex(pkg, "/"), 0)]
	return strings.HasPrefix(parent, imp+"/")
}

// TestTheRuleChecksCatchAViolation keeps the helpers honest.
func TestTheRuleChecksCatchAViolation(t *testing.T) {
	if !aboveParent(module+"internal/a/b/c", module+"internal/a") {
		t.Error("grandparent import not flagged")
	}
	if aboveParent(module+"internal/a/b/c", module+"internal/a/b") {
		t.Error("parent import flagged")
	}
	if aboveParent(module+"internal/ab/c", module+"internal/a") {
		t.Error("a name that only shares a prefix flagged")
	}
	if !isEngine(module+"internal/pipeline/x") || isEngine(module+"internal/pipelinex") {
		t.Error("isEngine misclassifies")
	}
}
