package pipeline

import "sync/atomic"

// Counter is a count that only grows, safe for concurrent use: stages add
// to it, a progress reporter reads it. The zero Counter is ready to use.
type Counter struct{ n atomic.Int64 }

// Add adds n to the count.
func (c *Counter) Add(n int64) { c.n.Add(n) }

// Load returns the current count.
func (c *Counter) Load() int64 { return c.n.Load() }
