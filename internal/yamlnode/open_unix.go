//go:build unix

package yamlnode

import (
	"os"
	"syscall"
)

// openRegular opens path for reading if it is a regular file. O_NONBLOCK
// makes opening a FIFO return at once instead of waiting for a writer
// (which Ctrl-C could not interrupt); the descriptor is then checked, so
// what is read is what was checked. O_NONBLOCK means nothing for regular
// files.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
