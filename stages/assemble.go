package stages

import (
	"context"
	"fmt"
)

// assembler receives results in input order, fills each unit's results and hands finished units
// to the writer.
type assembler struct {
	w         *writer
	cur       *unitState
	remaining int
}

func (a *assembler) consume(_ context.Context, r result) error {
	if r.unit != nil {
		if a.cur != nil {
			return fmt.Errorf("internal: unit %s started before unit %s had all its rows", r.unit.unit, a.cur.unit)
		}
		a.cur, a.remaining = r.unit, len(r.unit.good)
		if !r.hasRow {
			return a.maybeFinish()
		}
	}
	if a.cur == nil {
		return fmt.Errorf("internal: a result arrived outside any unit")
	}
	if r.pred != nil {
		a.cur.predictions = append(a.cur.predictions, *r.pred)
	} else {
		a.cur.vectors = append(a.cur.vectors, r.vector)
	}
	a.remaining--
	return a.maybeFinish()
}

func (a *assembler) maybeFinish() error {
	if a.remaining > 0 {
		return nil
	}
	u := a.cur
	a.cur = nil
	return a.w.add(u)
}

// finish commits the last part once every result has arrived.
func (a *assembler) finish() error {
	if a.cur != nil {
		return fmt.Errorf("internal: input ended inside unit %s", a.cur.unit)
	}
	return a.w.commit()
}
