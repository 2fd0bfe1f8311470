//go:build !unix

package localws

import "os"

// acquireLock: no flock here; the state database's exclusive lock still
// keeps a second server out.
func acquireLock(string) (*os.File, error) { return nil, nil }

// lockHeld cannot tell; a server.json is taken at its word.
func lockHeld(string) (bool, error) { return true, nil }
