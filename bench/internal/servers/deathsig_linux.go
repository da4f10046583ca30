package servers

import (
	"os/exec"
	"syscall"
)

// stopWithParent makes the kernel kill the server when the benchmark
// binary dies without running Main's cleanup, such as on a timeout.
func stopWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
