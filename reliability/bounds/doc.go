// Package bounds runs a steady load of entries that expire on the memory
// and bbolt backends, and fails when what the store keeps (entries, heap,
// file size) grows from one measuring window to the last beyond a
// generous factor, as it would if expired entries were never reclaimed.
// The package has no exported API.
package bounds
