package main

import "syscall"

// childAttr kills the command if rsslaunch dies (the benchmark was
// interrupted), so no upload keeps running on its own.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
