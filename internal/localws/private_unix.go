//go:build unix

package localws

import (
	"fmt"
	"io/fs"
	"syscall"
)

// checkOwner refuses a state folder that uid does not own: its owner could
// read the secrets in it, or replace the code jobs run.
func checkOwner(dir string, fi fs.FileInfo, uid int) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == uid {
		return nil
	}
	return fmt.Errorf("the state folder %s belongs to user %d, not to you (user %d): its owner could read the workspace's secrets and change the code its jobs run; use a folder of your own (--dir or $%s)",
		dir, st.Uid, uid, EnvDir)
}
