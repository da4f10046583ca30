package main

import (
	"fmt"
	"math"
	"strings"
)

// baseImpl is the implementation that each top-level benchmark's ratios
// divide by.
var baseImpl = map[string]string{
	"BenchmarkKV":        "raw",
	"BenchmarkJWTCheck":  "golang-jwt",
	"BenchmarkJWTIssue":  "golang-jwt",
	"BenchmarkJWTRevoke": "raw-put",
}

// formatNs prints a duration given in nanoseconds with three significant
// digits and a unit that suits it.
func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	default:
		return fmt.Sprintf("%.3g ns", ns)
	}
}

// cell prints one implementation's median time, its ratio to the base and
// its allocations per operation.
func cell(g *group, impl, base string) string {
	r := g.impls[impl]
	if r == nil {
		return "–"
	}

	var b strings.Builder
	b.WriteString(formatNs(median(r.nsOp)))

	if ratio, ok := g.ratio(impl, base); ok && impl != base {
		best, _ := g.ratioBest(impl, base)
		fmt.Fprintf(&b, " **%.2fx** (best %.2fx)", ratio, best)
	}

	if len(r.allocs) > 0 {
		fmt.Fprintf(&b, ", %g allocs", math.Round(median(r.allocs)))
	}

	return b.String()
}

// ratioTable returns a Markdown table of the groups of one top-level
// benchmark: one row for each group, one column for each implementation.
func ratioTable(groups []*group, top string, rowParts []string) string {
	base := baseImpl[top]

	var impls []string
	seen := make(map[string]bool)
	for _, g := range groups {
		if g.top != top {
			continue
		}

		for _, impl := range g.order {
			if !seen[impl] {
				seen[impl] = true
				impls = append(impls, impl)
			}
		}
	}

	if len(impls) == 0 {
		return "(no results)\n"
	}

	var b strings.Builder
	b.WriteString("| " + strings.Join(rowParts, " | ") + " | " + strings.Join(impls, " | ") + " |\n")
	b.WriteString(strings.Repeat("| --- ", len(rowParts)+len(impls)) + "|\n")

	for _, g := range groups {
		if g.top != top {
			continue
		}

		var row []string
		for _, p := range rowParts {
			row = append(row, g.parts[p])
		}

		for _, impl := range impls {
			row = append(row, cell(g, impl, base))
		}

		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}

	return b.String()
}

// target is one goal stated as a bound on a ratio, checked on the ratio of
// medians and on the ratio of the fastest samples.
type target struct {
	goal   string
	value  float64
	best   float64
	found  bool
	ok     bool
	bestOK bool
	rule   string // how value compares with the bound, such as "≤ 1.30"
}

// findGroup returns the group of top whose parts include every one of
// want.
func findGroup(groups []*group, top string, want map[string]string) *group {
	for _, g := range groups {
		if g.top != top {
			continue
		}

		match := true
		for k, v := range want {
			if g.parts[k] != v {
				match = false
				break
			}
		}

		if match {
			return g
		}
	}

	return nil
}

// ratioTargets computes each ratio goal from the same run.
func ratioTargets(groups []*group) []target {
	var targets []target

	atMost := func(goal string, g *group, impl, base string, bound float64) {
		t := target{goal: goal, rule: fmt.Sprintf("≤ %.2f", bound)}
		if g != nil {
			t.value, t.found = g.ratio(impl, base)
			t.best, _ = g.ratioBest(impl, base)
			t.ok = t.found && t.value <= bound
			t.bestOK = t.found && t.best <= bound
		}

		targets = append(targets, t)
	}

	atLeast := func(goal string, g *group, impl, base string, bound float64) {
		t := target{goal: goal, rule: fmt.Sprintf("≥ %.0f", bound)}
		if g != nil {
			t.value, t.found = g.ratio(impl, base)
			t.best, _ = g.ratioBest(impl, base)
			t.ok = t.found && t.value >= bound
			t.bestOK = t.found && t.best >= bound
		}

		targets = append(targets, t)
	}

	kv := func(backend, op, value string) *group {
		return findGroup(groups, "BenchmarkKV", map[string]string{"backend": backend, "op": op, "value": value})
	}

	for _, value := range []string{"64", "4096"} {
		g := kv("memory", "get-hit", value)
		atMost("memory get-hit "+value+" B: anykv / RWMutex map", g, "anykv", "raw", 1.3)

		if g != nil {
			for _, peer := range g.order {
				if strings.HasPrefix(peer, "gokv") || strings.HasPrefix(peer, "gofiber") {
					atLeast("memory get-hit "+value+" B: "+peer+" / anykv", g, peer, "anykv", 3)
				}
			}
		}
	}

	for _, backend := range []string{"redis", "memcached"} {
		for _, op := range []string{"get-hit", "put"} {
			for _, value := range []string{"64", "4096"} {
				atMost(fmt.Sprintf("%s %s %s B: anykv / raw client", backend, op, value), kv(backend, op, value), "anykv", "raw", 1.05)
			}
		}
	}

	for _, value := range []string{"64", "4096"} {
		atLeast("bolt 32 writers "+value+" B: one Update per put / anykv (throughput ratio)", kv("bolt", "put-32-writers", value), "raw", "anykv", 10)
	}

	for _, alg := range []string{"HS256", "ES256"} {
		g := findGroup(groups, "BenchmarkJWTCheck", map[string]string{"alg": alg, "backend": "memory"})
		for _, mode := range []string{"track-all", "denylist"} {
			atMost("jwtrevoke check on memory, "+alg+", "+mode+": anykv / golang-jwt", g, "anykv-"+mode, "golang-jwt", 1.15)
		}
	}

	return targets
}

func targetTable(targets []target) string {
	var b strings.Builder
	b.WriteString("| goal | target | ratio of medians | met | ratio of fastest runs | met |\n| --- | --- | --- | --- | --- | --- |\n")

	yesNo := func(ok bool) string {
		if ok {
			return "yes"
		}

		return "**no**"
	}

	for _, t := range targets {
		if !t.found {
			fmt.Fprintf(&b, "| %s | %s | not measured | **no** | not measured | **no** |\n", t.goal, t.rule)
			continue
		}

		fmt.Fprintf(&b, "| %s | %s | %.2f | %s | %.2f | %s |\n", t.goal, t.rule, t.value, yesNo(t.ok), t.best, yesNo(t.bestOK))
	}

	return b.String()
}
