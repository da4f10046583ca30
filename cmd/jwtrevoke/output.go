package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/anykv/anykv/jwtrevoke"
)

// tokenView is a token as list and show print it. Its JSON names are
// part of the --json output that scripts read.
type tokenView struct {
	ID      string    `json:"jti"`
	Subject string    `json:"subject"`
	Type    string    `json:"type"`
	Family  string    `json:"family,omitempty"`
	Issued  time.Time `json:"issued_at"`
	Expires time.Time `json:"expires_at"`
	Revoked bool      `json:"revoked"`
	Used    bool      `json:"used"`
}

func newTokenView(info jwtrevoke.TokenInfo) tokenView {
	return tokenView{
		ID:      info.ID,
		Subject: info.Subject,
		Type:    info.Type.String(),
		Family:  info.Family,
		Issued:  info.Issued.UTC(),
		Expires: info.Expires.UTC(),
		Revoked: info.Revoked,
		Used:    info.Used,
	}
}

// state is the one-word state of a token for people.
func (v tokenView) state() string {
	switch {
	case v.Revoked:
		return "revoked"
	case v.Used:
		return "used"
	default:
		return "active"
	}
}

// statsView is jwtrevoke.Stats with the JSON names of --json output.
type statsView struct {
	Records         int  `json:"records"`
	Access          int  `json:"access_records"`
	Refresh         int  `json:"refresh_records"`
	RevokedRecords  int  `json:"revoked_records"`
	UsedRecords     int  `json:"used_records"`
	RevokedMarkers  int  `json:"revoked_markers"`
	UsedMarkers     int  `json:"used_markers"`
	RevokedFamilies int  `json:"revoked_families"`
	SubjectCutoffs  int  `json:"subject_cutoffs"`
	GlobalCutoff    bool `json:"global_cutoff"`
	IndexEntries    int  `json:"index_entries"`
	Expired         int  `json:"expired_not_pruned"`
	Corrupt         int  `json:"corrupt"`
	Other           int  `json:"other_keys"`
}

func newStatsView(s *jwtrevoke.Stats) statsView {
	return statsView{
		Records:         s.Records,
		Access:          s.Access,
		Refresh:         s.Refresh,
		RevokedRecords:  s.RevokedRecords,
		UsedRecords:     s.UsedRecords,
		RevokedMarkers:  s.RevokedMarkers,
		UsedMarkers:     s.UsedMarkers,
		RevokedFamilies: s.RevokedFamilies,
		SubjectCutoffs:  s.SubjectCutoffs,
		GlobalCutoff:    s.GlobalCutoff,
		IndexEntries:    s.IndexEntries,
		Expired:         s.Expired,
		Corrupt:         s.Corrupt,
		Other:           s.Other,
	}
}

// writeJSON writes value as indented JSON and a newline.
func writeJSON(w io.Writer, value any) error {
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")

	return encoder.Encode(value)
}

// writeTokenTable writes tokens as aligned columns, or the line "no live
// tokens" when there are none.
func writeTokenTable(w io.Writer, tokens []tokenView) error {
	if len(tokens) == 0 {
		_, err := fmt.Fprintln(w, "no live tokens")

		return err
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JTI\tSUBJECT\tTYPE\tSTATE\tISSUED\tEXPIRES")

	for _, t := range tokens {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", printable(t.ID), printable(t.Subject), t.Type, t.state(),
			t.Issued.Format(time.RFC3339), t.Expires.Format(time.RFC3339))
	}

	if err := tw.Flush(); err != nil {
		return err
	}

	_, err := fmt.Fprintf(w, "%d token(s)\n", len(tokens))

	return err
}

// writeTokenDetails writes one token as "name: value" lines.
func writeTokenDetails(w io.Writer, t tokenView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "jti:\t%s\n", printable(t.ID))
	fmt.Fprintf(tw, "subject:\t%s\n", printable(t.Subject))
	fmt.Fprintf(tw, "type:\t%s\n", t.Type)
	fmt.Fprintf(tw, "state:\t%s\n", t.state())

	if t.Family != "" {
		fmt.Fprintf(tw, "family:\t%s\n", printable(t.Family))
	}

	fmt.Fprintf(tw, "issued:\t%s\n", t.Issued.Format(time.RFC3339Nano))
	fmt.Fprintf(tw, "expires:\t%s\n", t.Expires.Format(time.RFC3339))

	return tw.Flush()
}

// writeStats writes the counts as "name value" lines.
func writeStats(w io.Writer, s statsView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "token records\t%d\t(access %d, refresh %d)\n", s.Records, s.Access, s.Refresh)
	fmt.Fprintf(tw, "  revoked by jti\t%d\n", s.RevokedRecords)
	fmt.Fprintf(tw, "  used refresh tokens\t%d\n", s.UsedRecords)
	fmt.Fprintf(tw, "revocation markers (denylist)\t%d\n", s.RevokedMarkers)
	fmt.Fprintf(tw, "used-token markers\t%d\n", s.UsedMarkers)
	fmt.Fprintf(tw, "revoked families\t%d\n", s.RevokedFamilies)
	fmt.Fprintf(tw, "subject cutoffs\t%d\n", s.SubjectCutoffs)
	fmt.Fprintf(tw, "global cutoff\t%s\n", yesNo(s.GlobalCutoff))
	fmt.Fprintf(tw, "index entries\t%d\n", s.IndexEntries)
	fmt.Fprintf(tw, "expired, not pruned\t%d\n", s.Expired)
	fmt.Fprintf(tw, "corrupt entries\t%d\n", s.Corrupt)
	fmt.Fprintf(tw, "other keys\t%d\n", s.Other)

	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}

	return "no"
}

// printable quotes an id that would break a line or a column, such as one
// with spaces or control bytes, and returns any other id as it is.
func printable(id string) string {
	quoted := strconv.Quote(id)
	if quoted[1:len(quoted)-1] == id && id != "" {
		for _, r := range id {
			if r == ' ' {
				return quoted
			}
		}

		return id
	}

	return quoted
}
