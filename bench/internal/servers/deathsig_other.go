//go:build !linux

package servers

import "os/exec"

// stopWithParent does nothing where the kernel cannot tie a child's life to
// its parent's. There a server left behind by a killed binary must be
// stopped by hand.
func stopWithParent(*exec.Cmd) {}
