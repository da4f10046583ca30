// Package bounds runs a steady load of entries that expire on the memory
// and bbolt backends. It fails when what the store keeps (entries, heap,
// file size) grows from the first measuring windows to the last beyond a
// generous factor, as it would if expired entries were never reclaimed.
// The package has no exported API.
package bounds
