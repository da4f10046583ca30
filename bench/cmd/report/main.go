// Command report turns the output of the benchmarks in this module into
// BENCHMARKS.md and its two charts. scripts/bench.sh runs it; every ratio
// it prints divides medians taken from the same run.
//
// Usage:
//
//	go run ./cmd/report -bench bench.txt -benchstat benchstat.txt \
//	    -counts counts.txt -profiles profiles.txt -scale scale.json -machine machine.txt \
//	    -template BENCHMARKS.md.tmpl -out ../BENCHMARKS.md \
//	    -ratio-chart ../bench-ratios.png -latency-chart ../bench-scale.png
//
// -scale may be empty when the scale test did not run.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

func main() {
	benchPath := flag.String("bench", "", "go test -bench output, every run concatenated (required)")
	benchstatPath := flag.String("benchstat", "", "benchstat output to include (required)")
	countsPath := flag.String("counts", "", "go test -v output of the counting tests (required)")
	profilesPath := flag.String("profiles", "", "Markdown of CPU profiles to include (required)")
	scalePath := flag.String("scale", "", "scale.json from the scale test; empty when it did not run")
	machinePath := flag.String("machine", "", "text that describes the machine (required)")
	templatePath := flag.String("template", "", "Markdown template of the page (required)")
	outPath := flag.String("out", "", "Markdown file to write (required)")
	ratioChart := flag.String("ratio-chart", "", "PNG file for the ratio chart (required)")
	latencyChart := flag.String("latency-chart", "", "PNG file for the latency chart; needs -scale")
	flag.Parse()

	for name, value := range map[string]string{
		"bench": *benchPath, "benchstat": *benchstatPath, "counts": *countsPath, "profiles": *profilesPath, "machine": *machinePath,
		"template": *templatePath, "out": *outPath, "ratio-chart": *ratioChart,
	} {
		if value == "" {
			log.Fatalf("report: -%s is required", name)
		}
	}

	if err := run(*benchPath, *benchstatPath, *countsPath, *profilesPath, *scalePath, *machinePath, *templatePath, *outPath, *ratioChart, *latencyChart); err != nil {
		log.Fatalf("report: %v", err)
	}
}

// page is what the template fills in.
type page struct {
	Machine       string
	Targets       string
	KV            string
	Check         string
	Issue         string
	Revoke        string
	Benchstat     string
	Counts        string
	Profiles      string
	Scale         string
	RatioChart    string
	LatencyChart  string
	ScaleRan      bool
	TargetsMissed int
}

func run(benchPath, benchstatPath, countsPath, profilesPath, scalePath, machinePath, templatePath, outPath, ratioChart, latencyChart string) error {
	results, err := parseBench(benchPath)
	if err != nil {
		return err
	}

	groups := groupByImpl(results)

	targets := ratioTargets(groups)
	missed := 0
	for _, t := range targets {
		if !t.ok {
			missed++
		}
	}

	machine, err := os.ReadFile(machinePath)
	if err != nil {
		return err
	}

	benchstat, err := os.ReadFile(benchstatPath)
	if err != nil {
		return err
	}

	counts, err := countLines(countsPath)
	if err != nil {
		return err
	}

	profiles, err := os.ReadFile(profilesPath)
	if err != nil {
		return err
	}

	if err := drawRatioChart(groups, ratioChart); err != nil {
		return fmt.Errorf("draw %s: %w", ratioChart, err)
	}

	p := page{
		Machine:       strings.TrimSpace(string(machine)),
		Targets:       targetTable(targets),
		KV:            ratioTable(groups, "BenchmarkKV", []string{"backend", "op", "value"}),
		Check:         ratioTable(groups, "BenchmarkJWTCheck", []string{"alg", "backend"}),
		Issue:         ratioTable(groups, "BenchmarkJWTIssue", []string{"alg", "backend"}),
		Revoke:        ratioTable(groups, "BenchmarkJWTRevoke", []string{"backend", "op"}),
		Benchstat:     strings.TrimSpace(string(benchstat)),
		Counts:        counts,
		Profiles:      strings.TrimSpace(string(profiles)),
		RatioChart:    filepath.Base(ratioChart),
		TargetsMissed: missed,
	}

	if scalePath != "" {
		scale, err := readScale(scalePath)
		if err != nil {
			return err
		}

		p.ScaleRan = true
		p.Scale = scaleTable(scale)

		if latencyChart != "" {
			if err := drawLatencyChart(scale, latencyChart); err != nil {
				return fmt.Errorf("draw %s: %w", latencyChart, err)
			}

			p.LatencyChart = filepath.Base(latencyChart)
		}
	}

	tmpl, err := template.ParseFiles(templatePath)
	if err != nil {
		return err
	}

	out, err := os.Create(outPath)
	if err != nil {
		return err
	}

	if err := tmpl.Execute(out, p); err != nil {
		out.Close()
		return fmt.Errorf("fill %s: %w", templatePath, err)
	}

	return out.Close()
}

// countLine matches what the counting tests log, and their verdicts.
var countLine = regexp.MustCompile(`^\s+count_test\.go:\d+: (.*)$|^(--- (?:PASS|FAIL|SKIP): \S+)`)

// countLines returns the counting tests' log lines and verdicts.
func countLines(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()

	var b strings.Builder
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		m := countLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}

		b.WriteString(m[1] + m[2] + "\n")
	}

	return strings.TrimSpace(b.String()), scanner.Err()
}

func scaleTable(results []scaleResult) string {
	var b strings.Builder
	b.WriteString("| backend | tokens | bytes per token | check p50 / p99, fewest tokens | check p50 / p99, most tokens | expired entries removed | time | expired left | longest check during / without |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")

	for _, r := range results {
		bytes := fmt.Sprintf("%.0f (%s)", r.BytesPerToken, r.BytesSource)
		if r.UsedBytesPerToken > 0 {
			bytes += fmt.Sprintf("; %.0f in use in pages", r.UsedBytesPerToken)
		}

		if len(r.KeyBytes) > 0 {
			bytes += fmt.Sprintf("; MEMORY USAGE record %d, index %d", r.KeyBytes["record"], r.KeyBytes["index"])
		}

		first, last := r.Latency[0], r.Latency[len(r.Latency)-1]

		fmt.Fprintf(&b, "| %s | %d | %s | %s / %s at %d | %s / %s at %d | %d by %s | %.2f s | %d | %.1f ms / %.1f ms |\n",
			r.Backend, r.Tokens, bytes,
			formatNs(first.P50Ns), formatNs(first.P99Ns), first.Tokens,
			formatNs(last.P50Ns), formatNs(last.P99Ns), last.Tokens,
			r.Expired, r.ReclaimMethod, r.ReclaimSeconds, r.ExpiredLeft,
			r.MaxReaderStallMs, r.ControlStallMs)
	}

	return b.String()
}
