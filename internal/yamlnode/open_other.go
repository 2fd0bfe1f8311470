//go:build !unix

package yamlnode

import (
	"os"
)

// openRegular opens path for reading if it is a regular file, checking
// before opening (opening a named pipe may wait) and again after.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotRegular{fi.Mode()}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
