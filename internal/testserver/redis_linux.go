package testserver

import (
	"os/exec"
	"syscall"
)

// killWithParent makes Linux kill the server when the test binary dies,
// so that a test binary killed by its timeout leaves no server running.
// The signal is tied to the thread that started the process, which the Go
// runtime keeps alive unless a goroutine locked to it exits.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
