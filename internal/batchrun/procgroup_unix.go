//go:build unix

package batchrun

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the worker lead its own process group, so killing
// the group also ends whatever the scoring script started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the worker and everything in its process group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	// The group id is the worker's pid (Setpgid); ESRCH just means it is gone.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
