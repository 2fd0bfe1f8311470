//go:build unix

package pipeline

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the step's shell lead its own process group, so a
// cancel also ends whatever the command started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the step's shell and everything in its group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	// The group id is the shell's pid (Setpgid); ESRCH means it is gone.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
