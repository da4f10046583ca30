//go:build !linux

package testserver

import "os/exec"

// killWithParent does nothing outside Linux, where a server outlives a
// test binary that dies before Main stops it.
func killWithParent(cmd *exec.Cmd) {}
