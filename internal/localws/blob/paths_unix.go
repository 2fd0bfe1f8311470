//go:build unix

package blob

import (
	"errors"
	"syscall"
)

// isNotDir reports ENOTDIR: a file stands where a folder of the path should
// be, which for our purposes means the path does not exist.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// isDirError reports a rename onto a folder (EISDIR, or ENOTEMPTY/EEXIST
// when the folder has entries).
func isDirError(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}
