package upload

import (
	"github.com/mlbatch/ml/internal/blobcrc"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func TestNewPlanDirectoryLayout(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real", "my data")
	writeTree(t, real, awkwardTree())
	// Reach the directory through a symlinked parent: Source must be the
	// resolved path and Name its last component.
	symlink(t, filepath.Join(base, "real"), filepath.Join(base, "alias"))

	plan, err := NewPlan(t.Context(), filepath.Join(base, "alias", "my data"))
	if err != nil {
		t.Fatal(err)
	}
	realResolved, _ := filepath.EvalSymlinks(real)
	if plan.Source != realResolved {
		t.Errorf("Source = %q, want %q", plan.Source, realResolved)
	}
	if plan.Name != "my data" || !plan.IsDir {
		t.Errorf("Name %q IsDir %v, want %q true", plan.Name, plan.IsDir, "my data")
	}
	if !hashPattern.MatchString(plan.Hash) {
		t.Errorf("Hash %q is not 32 lowercase hex digits", plan.Hash)
	}
	wantRemote := "LocalUpload/" + plan.Hash + "/my data"
	if plan.RemotePath != wantRemote {
		t.Errorf("RemotePath = %q, want %q", plan.RemotePath, wantRemote)
	}

	// Every file of the tree, none of the directories, sorted bytewise.
	var want []string
	var wantBytes int64
	for rel, content := range awkwardTree() {
		if !strings.HasSuffix(rel, "/") {
			want = append(want, rel)
			wantBytes += int64(len(content))
		}
	}
	sort.Strings(want)
	var got []string
	for _, f := range plan.Files {
		got = append(got, f.RelPath)
		if f.BlobName != wantRemote+"/"+f.RelPath {
			t.Errorf("BlobName %q, want %q", f.BlobName, wantRemote+"/"+f.RelPath)
		}
		if f.LocalPath != filepath.Join(plan.Source, filepath.FromSlash(f.RelPath)) {
			t.Errorf("LocalPath %q does not match RelPath %q", f.LocalPath, f.RelPath)
		}
		if f.Size != int64(len(awkwardTree()[f.RelPath])) {
			t.Errorf("%s: Size %d, want %d", f.RelPath, f.Size, len(awkwardTree()[f.RelPath]))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if plan.Bytes != wantBytes {
		t.Errorf("Bytes = %d, want %d", plan.Bytes, wantBytes)
	}
	if plan.IndicatorBlob != wantRemote+"/"+want[0] {
		t.Errorf("IndicatorBlob = %q, want %q", plan.IndicatorBlob, wantRemote+"/"+want[0])
	}
	if got, want := plan.URI("workspaceblobstore", true), "azureml://datastores/workspaceblobstore/paths/"+wantRemote+"/"; got != want {
		t.Errorf("URI(folder) = %q, want %q", got, want)
	}
	if got, want := plan.URI("other", false), "azureml://datastores/other/paths/"+wantRemote; got != want {
		t.Errorf("URI(file) = %q, want %q", got, want)
	}
}

func TestNewPlanSingleFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"sub/scores.csv": "id,score\n1,0.5\n"})
	t.Chdir(dir)

	plan, err := NewPlan(t.Context(), filepath.Join("sub", "scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if plan.IsDir || plan.Name != "scores.csv" || !filepath.IsAbs(plan.Source) {
		t.Errorf("plan = %+v, want an absolute single-file plan named scores.csv", plan)
	}
	wantBlob := "LocalUpload/" + plan.Hash + "/scores.csv"
	want := []File{{LocalPath: plan.Source, RelPath: "scores.csv", BlobName: wantBlob, Size: 15, CRC64: []uint64{blobcrc.Checksum([]byte("id,score\n1,0.5\n"))}}}
	if len(plan.Files) != 1 || !reflect.DeepEqual(plan.Files[0], want[0]) {
		t.Errorf("Files = %+v, want %+v", plan.Files, want)
	}
	if plan.RemotePath != wantBlob || plan.IndicatorBlob != wantBlob || plan.Bytes != 15 {
		t.Errorf("RemotePath %q IndicatorBlob %q Bytes %d", plan.RemotePath, plan.IndicatorBlob, plan.Bytes)
	}
	// The file's name is not part of the hash: same content, same hash.
	writeTree(t, dir, map[string]string{"other-name.txt": "id,score\n1,0.5\n"})
	other, err := NewPlan(t.Context(), "other-name.txt")
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash != plan.Hash {
		t.Errorf("same content, different hashes: %s vs %s", other.Hash, plan.Hash)
	}
}

func TestNewPlanAppliesIgnoreFile(t *testing.T) {
	root := filepath.Join(t.TempDir(), "proj")
	writeTree(t, root, amlignoreTree())
	plan, err := NewPlan(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range plan.Files {
		got = append(got, f.RelPath)
	}
	want := []string{
		".amlignore", ".gitignore", "data/a1.csv", "docs/index.txt",
		"important.tmp", "main.py", "src/train.py", "sub/rootonly.txt",
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("uploaded %q\nwant     %q", got, want)
	}
	if plan.IgnoreFile != filepath.Join(plan.Source, ".amlignore") {
		t.Errorf("IgnoreFile = %q", plan.IgnoreFile)
	}
}

// TestWalkPrunesIgnoredDirectories checks that directories whose whole
// content is excluded are never listed (az lists them: azure-sdk-for-python
// #39235), while the hash stays what az computes.
func TestWalkPrunesIgnoredDirectories(t *testing.T) {
	root := filepath.Join(t.TempDir(), "proj")
	tree := map[string]string{
		".amlignore":   "node_modules\n.venv/\n",
		"main.py":      "print(1)",
		"lib/util.py":  "x = 1",
		"lib/.venv/a":  "excluded",
		".venv/bin/py": "excluded",
	}
	for i := 0; i < 50; i++ {
		tree["node_modules/pkg"+string(rune('a'+i%26))+"/index.js"] = "excluded"
	}
	writeTree(t, root, tree)
	rules, err := loadIgnore(root)
	if err != nil {
		t.Fatal(err)
	}
	w := newDirWalker(t.Context(), root, rules)
	var listed []string
	w.readDir = func(dir string) ([]os.DirEntry, error) {
		rel, _ := filepath.Rel(root, dir)
		listed = append(listed, filepath.ToSlash(rel))
		return readDirUnsorted(dir)
	}
	if err := w.walk(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(listed)
	if want := []string{".", "lib"}; strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Errorf("listed directories %q, want %q", listed, want)
	}
	plan, err := NewPlan(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) != 3 {
		t.Errorf("files %+v, want .amlignore, lib/util.py, main.py", plan.Files)
	}
}

func TestNewPlanFollowsSymlinks(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	writeTree(t, outside, map[string]string{"shared/a.txt": "A", "b.txt": "B"})
	root := filepath.Join(base, "root")
	writeTree(t, root, map[string]string{"own.txt": "own"})
	symlink(t, filepath.Join(outside, "shared"), filepath.Join(root, "linked-dir"))
	symlink(t, "../outside/b.txt", filepath.Join(root, "relative-link.txt"))

	plan, err := NewPlan(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range plan.Files {
		got[f.RelPath] = f.Size
	}
	want := map[string]int64{"linked-dir/a.txt": 1, "own.txt": 3, "relative-link.txt": 1}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("files %v, want %v", got, want)
		}
	}
	// Changing linked content changes the hash: links are followed.
	writeTree(t, outside, map[string]string{"shared/a.txt": "changed"})
	again, err := NewPlan(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash == plan.Hash {
		t.Error("hash did not change when a symlinked file changed")
	}
}

func TestNewPlanErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		want  []string
	}{
		{
			name:  "missing path",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") },
			want:  []string{"No such file or directory: ", "nope"},
		},
		{
			name:  "empty argument",
			setup: func(t *testing.T, dir string) string { return "" },
			want:  []string{"No such file or directory"},
		},
		{
			name: "empty directory",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "empty")
				writeTree(t, p, map[string]string{"sub/": "", "sub/deeper/": ""})
				return p
			},
			want: []string{"is empty. path or local_path must be a non-empty directory."},
		},
		{
			name: "everything ignored",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "ignored")
				writeTree(t, p, map[string]string{".amlignore": "*\n", "a.txt": "a"})
				return p
			},
			want: []string{"is empty.", "excluded by", ".amlignore"},
		},
		{
			name: "broken symlink",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "broken")
				writeTree(t, p, map[string]string{"a.txt": "a"})
				symlink(t, filepath.Join(dir, "gone"), filepath.Join(p, "dangling"))
				return p
			},
			want: []string{"dangling", "broken symlink"},
		},
		{
			name: "symlink cycle",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "cycle")
				writeTree(t, p, map[string]string{"sub/a.txt": "a"})
				symlink(t, p, filepath.Join(p, "sub", "loop"))
				return p
			},
			want: []string{"loop", "symlink cycle"},
		},
		{
			name: "bad ignore file",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "badignore")
				writeTree(t, p, map[string]string{".gitignore": "ok\n[z-a]\n", "a.txt": "a"})
				return p
			},
			want: []string{".gitignore line 2", "[z-a]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t, t.TempDir())
			plan, err := NewPlan(t.Context(), path)
			if err == nil {
				t.Fatalf("NewPlan(t.Context(), %q) = %+v, want an error", path, plan)
			}
			if !clierr.IsUsage(err) {
				t.Errorf("error %q is not a clierr.UsageError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestPythonLower(t *testing.T) {
	tests := map[string]string{
		"ABC":      "abc",
		"İstanbul": "i\u0307stanbul",
		"ΟΔΟΣ":     "οδος",
		"ΟΔΟΣ.txt": "οδοσ.txt",
		"ΟΔΟΣ 2":   "οδος 2",
		"ΣΑ":       "σα",
		"Σ":        "σ",
		"AΣ'":      "aς'",
		"AΣ'B":     "aσ'b",
		"Ünïcödé":  "ünïcödé",
	}
	for in, want := range tests {
		if got := pythonLower(in); got != want {
			t.Errorf("pythonLower(%q) = %q, want %q", in, got, want)
		}
	}
}
