package uploadbench

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Size units.
const (
	KiB = 1 << 10
	MiB = 1 << 20
)

// filesPerFolder spreads a data set over sub-folders, as real trees are,
// instead of one folder of thousands of entries.
const filesPerFolder = 100

// Dataset describes a tree of generated files. Sizes and content derive
// from Seed alone, so every run (and both sides of a comparison) sees the
// same bytes.
type Dataset struct {
	// Name labels the data set in benchmark names, e.g. "5000x4KiB".
	Name string
	// Files is the number of files (at least 1).
	Files int
	// MinSize and MaxSize bound each file's size in bytes. Equal values give
	// every file that size; otherwise sizes are log-uniform between them,
	// so small and large files are equally represented per order of
	// magnitude (a uniform draw would make almost every file "large").
	MinSize, MaxSize int64
	// Seed selects sizes and content.
	Seed uint64
}

// StandardDatasets returns the three data sets of issue 5, with file
// counts multiplied by scale (1 when scale < 1): 5,000 files of 4 KiB,
// 8 files of 64 MiB (512 MiB), and 500 files of 1 KiB–4 MiB (log-uniform,
// about 250 MiB).
func StandardDatasets(scale int) []Dataset {
	scale = max(scale, 1)
	return []Dataset{
		{Name: fmt.Sprintf("small-%dx4KiB", 5000*scale), Files: 5000 * scale, MinSize: 4 * KiB, MaxSize: 4 * KiB, Seed: 1},
		{Name: fmt.Sprintf("large-%dx64MiB", 8*scale), Files: 8 * scale, MinSize: 64 * MiB, MaxSize: 64 * MiB, Seed: 2},
		{Name: fmt.Sprintf("mixed-%dx1KiB-4MiB", 500*scale), Files: 500 * scale, MinSize: KiB, MaxSize: 4 * MiB, Seed: 3},
	}
}

// Tree is a folder of files on disk and what it holds.
type Tree struct {
	// Root is the folder.
	Root string
	// Files and Bytes count the regular files below Root and their sizes.
	Files int
	Bytes int64
}

// Sizes returns the size of every file, in file order.
func (d Dataset) Sizes() []int64 {
	rng := rand.New(rand.NewPCG(d.Seed, 0x5173))
	sizes := make([]int64, d.Files)
	lo, hi := math.Log(float64(d.MinSize)), math.Log(float64(d.MaxSize))
	for i := range sizes {
		if d.MinSize == d.MaxSize {
			sizes[i] = d.MinSize
			continue
		}
		s := int64(math.Exp(lo + rng.Float64()*(hi-lo)))
		sizes[i] = min(max(s, d.MinSize), d.MaxSize)
	}
	return sizes
}

// RelPath is where file i goes below the tree's root.
func (d Dataset) RelPath(i int) string {
	return fmt.Sprintf("d%03d/f%06d.bin", i/filesPerFolder, i)
}

// Generate writes the data set into root, which must not exist yet, and
// returns the tree. Content is pseudo-random (ChaCha8 seeded from Seed and
// the file's index), so no two files are alike and nothing compresses.
func (d Dataset) Generate(root string) (*Tree, error) {
	if d.Files < 1 || d.MinSize < 0 || d.MaxSize < d.MinSize {
		return nil, fmt.Errorf("dataset %q: want Files ≥ 1 and 0 ≤ MinSize ≤ MaxSize, have %d files of %d–%d bytes", d.Name, d.Files, d.MinSize, d.MaxSize)
	}
	if err := os.Mkdir(root, 0o755); err != nil {
		return nil, fmt.Errorf("dataset %q: %w (give a path that does not exist yet)", d.Name, err)
	}
	t := &Tree{Root: root}
	buf := make([]byte, 1*MiB)
	for i, size := range d.Sizes() {
		path := filepath.Join(root, filepath.FromSlash(d.RelPath(i)))
		if i%filesPerFolder == 0 {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
		}
		if err := writeRandomFile(path, size, d.fileSeed(i), buf); err != nil {
			return nil, fmt.Errorf("dataset %q: %w", d.Name, err)
		}
		t.Files++
		t.Bytes += size
	}
	return t, nil
}

// fileSeed is the ChaCha8 key of file i.
func (d Dataset) fileSeed(i int) [32]byte {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[0:], d.Seed)
	binary.LittleEndian.PutUint64(seed[8:], uint64(i))
	return seed
}

func writeRandomFile(path string, size int64, seed [32]byte, buf []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	src := rand.NewChaCha8(seed)
	for left := size; left > 0; {
		chunk := buf[:min(left, int64(len(buf)))]
		src.Read(chunk) // never fails
		if _, err := f.Write(chunk); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		left -= int64(len(chunk))
	}
	return f.Close()
}

// CountTree walks root and counts its regular files and their bytes; it is
// how a copy is checked.
func CountTree(root string) (*Tree, error) {
	t := &Tree{Root: root}
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		t.Files++
		t.Bytes += info.Size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
