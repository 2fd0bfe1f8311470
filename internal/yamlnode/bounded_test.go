package yamlnode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// aliasBomb is the "billion laughs" document: each level is a list of ten
// aliases of the level before, so levels levels expand to 10^levels values.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// limitOf returns the LimitError in err, failing the test when there is
// none or err is not a usage error.
func limitOf(t *testing.T, err error) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) || !clierr.IsUsage(err) {
		t.Fatalf("err = %v (%T), want a usage error wrapping *LimitError", err, err)
	}
	return le
}

func TestParseLimits(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	tests := []struct {
		name      string
		src       string
		wantLimit string
		wantMsg   string
	}{
		{"alias bomb, 9 levels", aliasBomb(9), "nodes", "f.yml: holds more than 200,000 values once its aliases (*name) are expanded, the most ml reads from a YAML file"},
		{"alias bomb inside a mapping value", "env:\n  conda_file:\n    deps:\n" + indent(aliasBomb(6), "      "), "nodes", "f.yml: holds more than 200,000 values"},
		{"long text named by many aliases", "a: &a " + long + "\nb: [" + strings.Repeat("*a, ", 50) + "*a]\n", "text", "f.yml: holds more than 4.0 MiB of text once its aliases (*name) are expanded"},
		{"alias cycle", "a: &a [1, *a]\n", "alias cycle", "f.yml:1: the alias *a is inside the value it names (&a), so it never ends"},
		{"alias cycle through a mapping", "a: &a {b: {c: *a}}\n", "alias cycle", "f.yml:1: the alias *a is inside the value it names (&a)"},
		{"too deep", strings.Repeat("[", 65) + strings.Repeat("]", 65), "depth", "f.yml:1: nested more than 64 levels deep (aliases followed)"},
		{"too deep through aliases", "a: &a " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\nb: " + strings.Repeat("[", 30) + "*a" + strings.Repeat("]", 30) + "\n", "depth", "f.yml:2: nested more than 64 levels deep"},
		{"too many documents", strings.Repeat("a: 1\n---\n", 101), "documents", "f.yml:201: more than 100 YAML documents (separated by ---), the most ml reads from one file"},
		{"too large", "a: " + strings.Repeat("x", 1<<20) + "\n", "size", "f.yml: more than 1.0 MiB, the most ml reads from a YAML file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yml", []byte(tt.src))
			le := limitOf(t, err)
			if le.Limit != tt.wantLimit || !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %q (limit %q), want limit %q, message starting %q", err, le.Limit, tt.wantLimit, tt.wantMsg)
			}
		})
	}
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by) + "\n"
}

// TestParseWithinLimits: aliases used as YAML intends, deep-ish nesting and
// many documents up to the limits are read.
func TestParseWithinLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		docs int
	}{
		{"aliases", "base: &b {x: 1, y: [1, 2]}\nuse: [*b, *b, *b]\n", 1},
		{"bomb within the node limit (4 levels)", aliasBomb(4), 1},
		{"64 levels", strings.Repeat("[", 64) + strings.Repeat("]", 64), 1},
		{"100 documents", strings.Repeat("a: 1\n---\n", 99) + "a: 1\n", 100},
		{"empty", "", 0},
		{"comments only", "# nothing\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Parse("f.yml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != tt.docs {
				t.Fatalf("%d documents, want %d", len(docs), tt.docs)
			}
		})
	}
}

// TestAliasBombBoundedMemory: refusing a bomb costs what parsing its few
// hundred bytes costs, not what expanding it would (10^9 values).
func TestAliasBombBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, levels := range []int{6, 9, 12} {
		_, _, err := Document("bomb.yml", []byte(aliasBomb(levels)))
		if le := limitOf(t, err); le.Limit != "nodes" {
			t.Fatalf("%d levels: limit %q, want nodes", levels, le.Limit)
		}
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Fatalf("refusing three alias bombs allocated %d MiB, want under 16 MiB", alloc>>20)
	}
}

func TestUnmarshal(t *testing.T) {
	var v map[string]any
	if err := Unmarshal("f.yml", []byte("a: &x [1, 2]\nb: *x\n"), &v); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v) != "map[a:[1 2] b:[1 2]]" {
		t.Fatalf("v = %v", v)
	}
	for _, src := range []string{aliasBomb(9), "a: 1\n---\nb: 2\n", "a: [\n"} {
		if err := Unmarshal("f.yml", []byte(src), &v); err == nil || !clierr.IsUsage(err) {
			t.Errorf("Unmarshal(%.30q) = %v, want a usage error", src, err)
		}
	}
	var s struct{ A int }
	if err := Unmarshal("f.yml", []byte("a: text\n"), &s); err == nil || err.Error() != "f.yml:1: cannot unmarshal !!str `text` into int" {
		t.Errorf("type mismatch: err = %v, want f.yml:1: cannot unmarshal ...", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	if err := os.WriteFile(good, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if data, err := ReadFile(ctx, good, nil); err != nil || string(data) != "a: 1\n" {
		t.Fatalf("ReadFile(good) = %q, %v", data, err)
	}
	tests := []struct {
		path, want string
	}{
		// A FIFO with no writer: refused at once (the test would hang
		// otherwise), not waited on.
		{fifo, "--file " + fifo + ": is not a regular file (a named pipe); give the path of a YAML file, or - to read standard input"},
		{"/dev/zero", "--file /dev/zero: is not a regular file (a character device)"},
		{dir, "--file " + dir + ": is a folder; give the path of a YAML file"},
		{filepath.Join(dir, "nope.yml"), "--file " + filepath.Join(dir, "nope.yml") + ": no such file; check the path"},
		{big, "--file " + big + ": more than 1.0 MiB, the most ml reads from a YAML file"},
		{"-", "--file -: this command cannot read standard input; give a file path"},
	}
	for _, tt := range tests {
		_, err := ReadFile(ctx, tt.path, nil)
		if err == nil || !clierr.IsUsage(err) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s) = %v, want usage error starting %q", tt.path, err, tt.want)
		}
	}
}

func TestReadFileStdin(t *testing.T) {
	data, err := ReadFile(context.Background(), "-", strings.NewReader("a: 1\n"))
	if err != nil || string(data) != "a: 1\n" {
		t.Fatalf("stdin: %q, %v", data, err)
	}
	_, err = ReadFile(context.Background(), "-", io.LimitReader(zeros{}, 2<<20))
	if le := limitOf(t, err); le.Limit != "size" || !strings.HasPrefix(err.Error(), "--file -: more than 1.0 MiB") {
		t.Fatalf("large stdin: %v", err)
	}
	// A stdin nobody writes to: canceling ctx (Ctrl-C) ends the read.
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := ReadFile(ctx, "-", r); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled stdin read: %v, want context.Canceled", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
