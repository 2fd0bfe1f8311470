package spec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// bombLevels is the alias bomb of the red-team report: nine levels of
// ten aliases each, 10^9 values when expanded.
const bombLevels = 9

// bomb returns alias bomb mapping entries indented by indent, anchors
// l0..l<levels>, the last one named by key.
func bomb(indent, key string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "%sl%d: &l%d [%s]\n", indent, i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	fmt.Fprintf(&b, "%s%s: *l%d\n", indent, key, levels)
	return b.String()
}

// TestAliasBombsRefused: an alias bomb anywhere a YAML is read (a conda
// file inline or on disk, a deployment, an endpoint, a data asset) is
// refused as a usage error naming the limit, at the cost of parsing a few
// hundred bytes: without the bound, expanding it exhausts memory.
func TestAliasBombsRefused(t *testing.T) {
	ctx := context.Background()
	dir := writeTree(t, goodTree)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("bomb-conda.yml", "channels: [conda-forge]\n"+bomb("", "dependencies", bombLevels))
	inlineConda := strings.Replace(goodDeployment, "  conda_file: conda.yml\n", "  conda_file:\n"+bomb("    ", "dependencies", bombLevels), 1)
	tests := []struct {
		name string
		load func() error
	}{
		{"inline conda_file", func() error {
			_, err := LoadDeployment(ctx, write("d-inline.yml", inlineConda), nil, nil)
			return err
		}},
		{"conda_file on disk", func() error {
			_, err := LoadDeployment(ctx, write("d-file.yml", strings.Replace(goodDeployment, "conda.yml", "bomb-conda.yml", 1)), nil, nil)
			return err
		}},
		{"deployment tags", func() error {
			_, err := LoadDeployment(ctx, write("d-tags.yml", goodDeployment+"tags:\n"+bomb("  ", "t", bombLevels)), nil, nil)
			return err
		}},
		{"endpoint", func() error {
			_, err := LoadEndpoint(ctx, write("e.yml", "name: heart\nauth_mode: aad_token\nproperties:\n"+bomb("  ", "p", bombLevels)), nil, nil)
			return err
		}},
		{"data asset", func() error {
			_, err := LoadData(ctx, write("data.yml", "name: rows\npath: model\ntags:\n"+bomb("  ", "t", bombLevels)), nil, nil)
			return err
		}},
		{"datastore", func() error {
			_, err := LoadDatastore(ctx, write("ds.yml", "name: d\ntype: azure_blob\naccount_name: a\ncontainer_name: c\ntags:\n"+bomb("  ", "t", bombLevels)), nil, nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := tt.load()
			runtime.ReadMemStats(&after)
			var le *yamlnode.LimitError
			if !errors.As(err, &le) || le.Limit != "nodes" || !clierr.IsUsage(err) {
				t.Fatalf("err = %v, want a usage error over the nodes limit", err)
			}
			if !strings.Contains(err.Error(), "holds more than 200,000 values once its aliases (*name) are expanded") {
				t.Errorf("message %q does not say what the limit is", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("refusing it allocated %d MiB, want under 32 MiB", alloc>>20)
			}
		})
	}
}

// TestFileMustBeRegular: -f of a FIFO with no writer returns at once
// (it used to block in open(2), deaf to Ctrl-C), /dev/zero is refused
// before it is read (it used to grow to the machine's memory).
func TestFileMustBeRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		_, err := LoadDeployment(context.Background(), p, nil, nil)
		if err == nil || !clierr.IsUsage(err) || !strings.Contains(err.Error(), "--file "+p+": is not a regular file") {
			t.Errorf("LoadDeployment(%s) = %v, want usage error: not a regular file", p, err)
		}
	}
}

// TestFileFromStdin: -f - reads the YAML from standard input; relative
// paths then start from the current directory, and errors name (stdin).
func TestFileFromStdin(t *testing.T) {
	dir := writeTree(t, goodTree)
	t.Chdir(dir)
	d, err := LoadDeployment(context.Background(), "-", strings.NewReader(goodDeployment), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "blue" || d.File != "-" {
		t.Errorf("deployment %q from %q, want blue from -", d.Name, d.File)
	}
	_, err = LoadEndpoint(context.Background(), "-", strings.NewReader("name: heart\nauth_mode: nope\n"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "(stdin):2: ") {
		t.Errorf("err = %v, want one located at (stdin):2", err)
	}
	// The asset and job loaders read `-f -` the same way.
	c, err := LoadCompute(context.Background(), "-", strings.NewReader("name: cpu-cluster\ntype: amlcompute\nmax_instances: 2\n"), nil)
	if err != nil || c.Name != "cpu-cluster" {
		t.Errorf("compute from stdin = %+v, %v; want cpu-cluster", c, err)
	}
	_, err = LoadJob(context.Background(), "-", strings.NewReader("type: pipeline\ncolour: blue\n"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "(stdin):2: ") {
		t.Errorf("job from stdin: err = %v, want one located at (stdin):2", err)
	}
}
