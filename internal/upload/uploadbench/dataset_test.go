package uploadbench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestDatasetSizes(t *testing.T) {
	tests := []struct {
		name string
		ds   Dataset
		// check is called with the sizes.
		check func(t *testing.T, sizes []int64)
	}{
		{
			name: "fixed size",
			ds:   Dataset{Files: 50, MinSize: 4 * KiB, MaxSize: 4 * KiB, Seed: 1},
			check: func(t *testing.T, sizes []int64) {
				for i, s := range sizes {
					if s != 4*KiB {
						t.Fatalf("file %d is %d bytes, want 4096", i, s)
					}
				}
			},
		},
		{
			name: "log-uniform range",
			ds:   Dataset{Files: 500, MinSize: KiB, MaxSize: 4 * MiB, Seed: 3},
			check: func(t *testing.T, sizes []int64) {
				var small, large int
				for i, s := range sizes {
					if s < KiB || s > 4*MiB {
						t.Fatalf("file %d is %d bytes, outside 1 KiB–4 MiB", i, s)
					}
					if s < 64*KiB {
						small++
					}
					if s > MiB {
						large++
					}
				}
				// Log-uniform: 1K–64K and 1M–4M are 6 and 2 of 12 doublings.
				if small < 150 || large < 40 {
					t.Errorf("%d files under 64 KiB and %d over 1 MiB of 500: not spread log-uniformly", small, large)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sizes := tc.ds.Sizes()
			if len(sizes) != tc.ds.Files {
				t.Fatalf("%d sizes for %d files", len(sizes), tc.ds.Files)
			}
			tc.check(t, sizes)
			again := tc.ds.Sizes()
			for i := range sizes {
				if sizes[i] != again[i] {
					t.Fatalf("file %d: %d then %d bytes; sizes must depend on the seed only", i, sizes[i], again[i])
				}
			}
		})
	}
}

func TestStandardDatasets(t *testing.T) {
	tests := []struct {
		scale     int
		wantFiles []int
	}{
		{1, []int{5000, 8, 500}},
		{0, []int{5000, 8, 500}},
		{3, []int{15000, 24, 1500}},
	}
	for _, tc := range tests {
		got := StandardDatasets(tc.scale)
		if len(got) != len(tc.wantFiles) {
			t.Fatalf("scale %d: %d data sets, want %d", tc.scale, len(got), len(tc.wantFiles))
		}
		for i, ds := range got {
			if ds.Files != tc.wantFiles[i] {
				t.Errorf("scale %d: %s has %d files, want %d", tc.scale, ds.Name, ds.Files, tc.wantFiles[i])
			}
		}
	}
	large := StandardDatasets(1)[1]
	var total int64
	for _, s := range large.Sizes() {
		total += s
	}
	if total != 512*MiB {
		t.Errorf("%s holds %d bytes, want 512 MiB", large.Name, total)
	}
}

func TestGenerate(t *testing.T) {
	ds := Dataset{Name: "t", Files: 120, MinSize: 100, MaxSize: 300 * KiB, Seed: 7}
	dir := t.TempDir()
	a, err := ds.Generate(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ds.Generate(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, s := range ds.Sizes() {
		want += s
	}
	if a.Files != ds.Files || a.Bytes != want {
		t.Fatalf("Generate returned %d files of %d bytes, want %d of %d", a.Files, a.Bytes, ds.Files, want)
	}
	counted, err := CountTree(a.Root)
	if err != nil {
		t.Fatal(err)
	}
	if counted.Files != a.Files || counted.Bytes != a.Bytes {
		t.Errorf("on disk: %d files of %d bytes, Generate said %d of %d", counted.Files, counted.Bytes, a.Files, a.Bytes)
	}
	// 120 files at 100 per folder: two folders.
	if _, err := os.Stat(filepath.Join(a.Root, "d001", "f000119.bin")); err != nil {
		t.Errorf("last file not in the second folder: %v", err)
	}
	first := func(root string, i int) []byte {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(ds.RelPath(i))))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(first(a.Root, 5), first(b.Root, 5)) {
		t.Error("the same file of two generations differs: content must depend on the seed only")
	}
	f0, f1 := first(a.Root, 0), first(a.Root, 1)
	if n := min(len(f0), len(f1), 64); bytes.Equal(f0[:n], f1[:n]) {
		t.Error("files 0 and 1 start alike: each file needs its own content")
	}
	if _, err := ds.Generate(a.Root); err == nil {
		t.Error("Generate into an existing folder succeeded, want an error")
	}
	if _, err := (Dataset{Name: "bad", Files: 0, MaxSize: 1}).Generate(filepath.Join(dir, "c")); err == nil {
		t.Error("Generate of 0 files succeeded, want an error")
	}
}
