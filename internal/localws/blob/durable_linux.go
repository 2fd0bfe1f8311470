package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncRoot returns the default Options.Sync: syncfs(2) of the
// filesystem that holds root, which writes back every file and directory
// change on it and waits for the disk. One call covers all of a round's
// blobs, sidecars, renames and new folders, where fsync would need a call
// per file and per parent folder.
func syncRoot(root string) func() error {
	return func() error {
		d, err := os.Open(root)
		if err != nil {
			return err
		}
		defer d.Close()
		return unix.Syncfs(int(d.Fd()))
	}
}
