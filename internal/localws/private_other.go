//go:build !unix

package localws

import "io/fs"

// checkOwner: file ownership is not a uid on this platform; the folder's
// ACLs are the user's to keep private.
func checkOwner(string, fs.FileInfo, int) error { return nil }
