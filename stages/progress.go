package stages

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress reports a run's advance: a redrawn bar on a terminal, a log line every interval
// otherwise (cron, launchd, CI logs). It counts rows as the workers finish them (and bad rows as
// they are read), whatever their order, and beside them the rows committed in the output.
type progress struct {
	out      io.Writer
	terminal bool
	interval time.Duration
	stats    *Stats
	total    int64 // rows to process this run; 0 when unknown
	start    time.Time
	stop     chan struct{}
	done     chan struct{}
}

func startProgress(out io.Writer, terminal bool, stats *Stats, total int64) *progress {
	p := &progress{out: out, terminal: terminal, interval: 10 * time.Second, stats: stats, total: total,
		start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if terminal {
		p.interval = 250 * time.Millisecond
	}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			if p.terminal {
				p.draw()
				fmt.Fprintln(p.out)
			}
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	rows := p.stats.Inferred.Load() + p.stats.Bad.Load()
	committed := p.stats.Rows.Load() + p.stats.Rejected.Load()
	tokens := p.stats.InferredTokens.Load()
	sec := time.Since(p.start).Seconds()
	rate := float64(tokens) / max(sec, 1e-9)
	eta := "?"
	if p.total > 0 && rows > 0 {
		left := time.Duration(float64(p.total-rows) / (float64(rows) / sec) * float64(time.Second))
		eta = left.Round(time.Second).String()
	}
	if !p.terminal {
		fmt.Fprintf(p.out, "progress: %d/%s rows done, %d committed, %.0f tokens/s, eta %s\n", rows, totalText(p.total), committed, rate, eta)
		return
	}
	bar := ""
	if p.total > 0 {
		filled := int(30 * min(float64(rows)/float64(p.total), 1))
		bar = "[" + strings.Repeat("█", filled) + strings.Repeat("·", 30-filled) + "] "
	}
	fmt.Fprintf(p.out, "\r%s%d/%s rows done, %d committed  %.0f tokens/s  eta %s   ", bar, rows, totalText(p.total), committed, rate, eta)
}

func totalText(n int64) string {
	if n <= 0 {
		return "?"
	}
	return fmt.Sprint(n)
}

func (p *progress) finish() {
	close(p.stop)
	<-p.done
}
