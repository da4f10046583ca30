package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// chartImpls are the implementations drawn in the ratio chart, each as a
// ratio to the raw client.
var chartImpls = []string{"anykv", "gokv", "gokv-json", "gofiber"}

// maxChartRatio caps the bars, so that one slow peer does not squash the
// rest. A longer bar ends at the cap, and the tables give its value.
const maxChartRatio = 4.0

// chartRow is one row of the ratio chart: a group and the implementation
// its bars divide by.
type chartRow struct {
	label string
	g     *group
	base  string
	impls map[string]string // bar name to the group's implementation
}

// ratioChartRows returns the kv workloads with 64-byte values, each
// implementation against the raw client, and the jwtrevoke check with
// HS256 in TrackAll mode against golang-jwt alone.
func ratioChartRows(groups []*group) []chartRow {
	var rows []chartRow
	for _, g := range groups {
		switch {
		case g.top == "BenchmarkKV" && g.parts["value"] == "64":
			impls := make(map[string]string)
			for _, impl := range chartImpls {
				impls[impl] = impl
			}

			rows = append(rows, chartRow{g.parts["backend"] + " " + g.parts["op"], g, "raw", impls})

		case g.top == "BenchmarkJWTCheck" && g.parts["alg"] == "HS256":
			rows = append(rows, chartRow{g.parts["backend"] + " jwt check (vs golang-jwt)", g, "golang-jwt", map[string]string{"anykv": "anykv-track-all"}})
		}
	}

	return rows
}

// drawRatioChart draws one horizontal bar for each implementation in each
// row: its median time divided by the base's.
func drawRatioChart(groups []*group, path string) error {
	rows := ratioChartRows(groups)
	if len(rows) == 0 {
		return fmt.Errorf("no results to draw")
	}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("Median time / raw client's, 64-byte values (bars end at %.0fx)", maxChartRatio)
	p.X.Label.Text = "ratio to the raw client, or to golang-jwt for checks (1 = as fast; smaller is faster)"
	p.X.Min = 0
	p.X.Max = maxChartRatio * 1.4 // room for the legend

	names := make([]string, len(rows))
	for i, row := range rows {
		names[i] = row.label
	}

	barWidth := vg.Points(6)
	for i, bar := range chartImpls {
		values := make(plotter.Values, len(rows))
		for j, row := range rows {
			if r, ok := row.g.ratio(row.impls[bar], row.base); ok {
				values[j] = min(r, maxChartRatio)
			}
		}

		bars, err := plotter.NewBarChart(values, barWidth)
		if err != nil {
			return err
		}

		bars.Horizontal = true
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		// Centre each row's bars on its label.
		bars.Offset = vg.Length(float64(i)-float64(len(chartImpls)-1)/2) * barWidth

		p.Add(bars)
		p.Legend.Add(bar, bars)
	}

	p.Add(verticalLine(1, float64(len(rows))))
	p.NominalY(names...)
	p.Legend.Top = true

	height := vg.Points(float64(len(rows))*32 + 80)

	return p.Save(9*vg.Inch, height, path)
}

// verticalLine marks x from y = -1 to y = top.
func verticalLine(x, top float64) *plotter.Line {
	line, _ := plotter.NewLine(plotter.XYs{{X: x, Y: -1}, {X: x, Y: top}})
	line.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	line.Color = color.Black

	return line
}

// scalePoint and scaleResult mirror what the scale test writes.
type scalePoint struct {
	Tokens int     `json:"tokens"`
	MeanNs float64 `json:"mean_ns"`
	P50Ns  float64 `json:"p50_ns"`
	P99Ns  float64 `json:"p99_ns"`
	MaxNs  float64 `json:"max_ns"`
}

type scaleResult struct {
	Backend           string         `json:"backend"`
	Tokens            int            `json:"tokens"`
	IssueSeconds      float64        `json:"issue_seconds"`
	BytesPerToken     float64        `json:"bytes_per_token"`
	BytesSource       string         `json:"bytes_source"`
	KeyBytes          map[string]int `json:"key_bytes"`
	UsedBytesPerToken float64        `json:"used_bytes_per_token"`
	Latency           []scalePoint   `json:"latency"`
	Expired           int            `json:"expired"`
	ExpiredLeft       int            `json:"expired_left"`
	ReclaimSeconds    float64        `json:"reclaim_seconds"`
	ReclaimMethod     string         `json:"reclaim_method"`
	MaxReaderStallMs  float64        `json:"max_reader_stall_ms"`
	ReaderChecks      int            `json:"reader_checks"`
	ControlStallMs    float64        `json:"control_stall_ms"`
	ControlChecks     int            `json:"control_checks"`
}

func readScale(path string) ([]scaleResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	var results []scaleResult
	if err := json.Unmarshal(data, &results); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}

	return results, nil
}

// drawLatencyChart draws the median and p99 check latency against the
// number of tracked tokens, for each backend.
func drawLatencyChart(results []scaleResult, path string) error {
	p := plot.New()
	p.Title.Text = "jwtrevoke check latency vs tracked tokens"
	p.X.Label.Text = "tracked tokens"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Label.Text = "latency (µs)"
	p.Y.Min = 0
	p.Legend.Top = true

	highest := 0.0
	for i, r := range results {
		for _, stat := range []string{"p50", "p99"} {
			xys := make(plotter.XYs, len(r.Latency))
			for j, pt := range r.Latency {
				xys[j].X = float64(pt.Tokens)
				xys[j].Y = pt.P50Ns / 1e3
				if stat == "p99" {
					xys[j].Y = pt.P99Ns / 1e3
				}
			}

			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return err
			}

			for _, xy := range xys {
				highest = max(highest, xy.Y)
			}

			line.Color = plotutil.Color(i)
			points.Color = plotutil.Color(i)
			if stat == "p99" {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}

			p.Add(line, points)
			p.Legend.Add(r.Backend+" "+stat, line, points)
		}
	}

	// Headroom above the highest point keeps the legend clear of the lines.
	p.Y.Max = highest * 1.4

	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}
