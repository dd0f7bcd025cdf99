package stages

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressCounts: the progress display counts rows as workers finish them and bad rows as
// they are read, in whatever order, not rows written in input order (which stay at 0 until the
// batch holding the first row lands), and shows the committed rows beside them.
func TestProgressCounts(t *testing.T) {
	tests := []struct {
		name                             string
		terminal                         bool
		inferred, bad, written, rejected int64
		want                             string
	}{
		{"log line, nothing written yet", false, 500, 3, 0, 0, "progress: 503/1000 rows done, 0 committed,"},
		{"log line, some committed", false, 900, 10, 600, 4, "progress: 910/1000 rows done, 604 committed,"},
		{"terminal bar", true, 500, 0, 0, 0, "[" + strings.Repeat("█", 15) + strings.Repeat("·", 15) + "] 500/1000 rows done, 0 committed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Stats
			s.Inferred.Add(tc.inferred)
			s.Bad.Add(tc.bad)
			s.Rows.Add(tc.written)
			s.Rejected.Add(tc.rejected)
			var out bytes.Buffer
			p := &progress{out: &out, terminal: tc.terminal, stats: &s, total: 1000, start: time.Now().Add(-time.Second)}
			p.draw()
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("progress %q, want %q", out.String(), tc.want)
			}
		})
	}
}
