package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// result is every sample of one benchmark.
type result struct {
	name   string // without the GOMAXPROCS suffix
	nsOp   []float64
	allocs []float64
	bytes  []float64
}

// benchLine matches a line of go test -bench output with -benchmem
// figures: name, iterations, ns/op and optionally B/op and allocs/op.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op\s+([\d.]+) allocs/op)?`)

// parseBench reads go test -bench output, several runs concatenated, and
// returns the results in the order they first appear.
func parseBench(path string) ([]*result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	byName := make(map[string]*result)
	var order []*result

	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		m := benchLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}

		r, ok := byName[m[1]]
		if !ok {
			r = &result{name: m[1]}
			byName[m[1]] = r
			order = append(order, r)
		}

		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("parse ns/op in %q: %w", scanner.Text(), err)
		}

		r.nsOp = append(r.nsOp, ns)

		if m[3] != "" {
			b, _ := strconv.ParseFloat(m[3], 64)
			a, _ := strconv.ParseFloat(m[4], 64)
			r.bytes = append(r.bytes, b)
			r.allocs = append(r.allocs, a)
		}
	}

	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}

	return order, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}

	s := slices.Clone(xs)
	slices.Sort(s)

	if len(s)%2 == 1 {
		return s[len(s)/2]
	}

	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// split returns the key=value parts of a benchmark name and the name of
// the top-level benchmark.
func split(name string) (top string, parts map[string]string) {
	fields := strings.Split(name, "/")
	parts = make(map[string]string)

	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			parts[k] = v
		}
	}

	return fields[0], parts
}

// group is the benchmarks that differ only in their impl part.
type group struct {
	top   string
	key   string // the name without the impl part
	parts map[string]string
	impls map[string]*result
	order []string
}

// groupByImpl collects results into groups by everything but impl, in the
// order they first appear.
func groupByImpl(results []*result) []*group {
	byKey := make(map[string]*group)
	var groups []*group

	for _, r := range results {
		top, parts := split(r.name)
		impl := parts["impl"]
		if impl == "" {
			continue
		}

		key := strings.Replace(r.name, "/impl="+impl, "", 1)

		g, ok := byKey[key]
		if !ok {
			g = &group{top: top, key: key, parts: parts, impls: make(map[string]*result)}
			byKey[key] = g
			groups = append(groups, g)
		}

		g.impls[impl] = r
		g.order = append(g.order, impl)
	}

	return groups
}

// ratioBest returns the fastest sample of impl divided by the fastest of
// base: the ratio with the least interference from other work on the
// machine, and false when either is missing.
func (g *group) ratioBest(impl, base string) (float64, bool) {
	a, b := g.impls[impl], g.impls[base]
	if a == nil || b == nil || len(a.nsOp) == 0 || len(b.nsOp) == 0 {
		return 0, false
	}

	return slices.Min(a.nsOp) / slices.Min(b.nsOp), true
}

// ratio returns the median ns/op of impl divided by that of base, and
// false when either is missing.
func (g *group) ratio(impl, base string) (float64, bool) {
	a, b := g.impls[impl], g.impls[base]
	if a == nil || b == nil || len(a.nsOp) == 0 || len(b.nsOp) == 0 {
		return 0, false
	}

	return median(a.nsOp) / median(b.nsOp), true
}
