//go:build unix

// Package shared holds what the `ml local` verbs share: process control of
// the detached server.
package shared

import (
	"errors"
	"os"
	"syscall"
)

// DetachedProcAttr starts a process in its own session, so it outlives the
// terminal that started it.
func DetachedProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// Terminate asks pid to shut down gracefully (SIGTERM).
func Terminate(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(syscall.SIGTERM)
}

// PrivateFiles makes every file this process and its children (scoring
// scripts) create readable by this user only (umask 077): the local
// workspace's folder is private, whatever creates files in it.
func PrivateFiles() { syscall.Umask(0o077) }

// AddrInUse reports whether err is a listen failing because another
// process holds the address.
func AddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
