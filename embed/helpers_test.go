package embed_test

import "testing"

// cleanupTB is the part of testing.TB that hubtest.New uses (Cleanup), for examples, which have no T.
type cleanupTB struct {
	testing.TB
	fns []func()
}

func (c *cleanupTB) Cleanup(f func()) { c.fns = append(c.fns, f) }

func (c *cleanupTB) run() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
}
