//go:build unix

package hashcache

import (
	"io/fs"
	"os"
	"syscall"
)

func sysStat(fi fs.FileInfo, st *Stat) {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Dev, st.Ino = uint64(s.Dev), uint64(s.Ino)
		st.CtimeNs = ctimeNs(s)
	}
}

func ownedByMe(fi fs.FileInfo) bool {
	s, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(s.Uid) == os.Getuid()
}
