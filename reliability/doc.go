// Package reliability holds no code of its own. Its sub-packages test
// anykv as a whole under failure:
//
//   - crash: a bbolt process killed with SIGKILL mid-write.
//   - outage: Redis and memcached stopped and restarted under load.
//   - load: concurrent issue, check, revoke and rotate, with a
//     linearizability checker.
//   - hostile: a catalogue of bad keys, TTLs, tokens, headers and URLs.
//   - eviction: entries removed behind jwtrevoke's back, by hand and by
//     Redis and memcached under memory pressure.
//   - bounds: memory and file size under a steady issue-and-expire load.
//
// The default runs are short enough for CI. Set ANYKV_RELIABILITY_FULL=1
// for the long runs that RELIABILITY.md reports.
package reliability
