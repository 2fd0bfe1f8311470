//go:build !unix

// Package shared holds what the `ml local` verbs share: process control of
// the detached server.
package shared

import (
	"os"
	"strings"
	"syscall"
)

// DetachedProcAttr starts a process detached from the console.
func DetachedProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// Terminate stops pid; Windows has no SIGTERM, so this kills it.
func Terminate(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// PrivateFiles: no umask on this platform; files inherit the state
// folder's ACLs.
func PrivateFiles() {}

// AddrInUse reports whether err is a listen failing because another
// process holds the address (WSAEADDRINUSE's text on Windows).
func AddrInUse(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "address already in use") ||
		strings.Contains(err.Error(), "Only one usage of each socket address"))
}
