package batchrun

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/mlbatch/ml/internal/clierr"
)

// listInputFiles returns the absolute paths of the job's input files: a file
// input is one item, a folder input contributes every regular file under it,
// recursively and sorted. Inputs keep their order; files are not deduplicated.
func listInputFiles(inputs []string) ([]string, error) {
	var files []string
	for _, input := range inputs {
		abs, err := filepath.Abs(input)
		if err != nil {
			return nil, clierr.Usagef("input %q: %v", input, err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, clierr.Usagef("input %q does not exist; give an existing local file or folder", input)
		}
		if !info.IsDir() {
			files = append(files, abs)
			continue
		}
		var found []string
		err = filepath.WalkDir(abs, func(path string, entry fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if entry.Type().IsRegular() || isLinkToFile(path, entry) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, clierr.Usagef("input %q cannot be read: %v", input, err)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}

// isLinkToFile reports whether entry is a symlink to a regular file, which a
// mounted data asset may contain and which the scoring script can read.
func isLinkToFile(path string, entry fs.DirEntry) bool {
	if entry.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// partition cuts files into mini-batches of at most size files, in order.
func partition(files []string, size int) [][]string {
	var batches [][]string
	for chunk := range slices.Chunk(files, size) {
		batches = append(batches, chunk)
	}
	return batches
}
