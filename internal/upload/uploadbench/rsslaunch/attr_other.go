//go:build unix && !linux

package main

import "syscall"

// childAttr: only Linux has a parent-death signal; elsewhere an interrupted
// benchmark may leave the command to finish on its own.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
