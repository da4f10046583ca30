// Package crash tests that a kv/bolt store, and a jwtrevoke Tracker on it,
// lose nothing acknowledged when the process is killed with SIGKILL.
//
// The test binary starts itself again as a child process that writes,
// deletes, swaps, issues, revokes and rotates from several goroutines, and
// prints each operation to its standard output only after the call
// returned. The parent kills the child at a random moment, opens the file
// again, runs bbolt's consistency check, and checks that every printed
// operation is in force. The package has no exported API.
package crash
