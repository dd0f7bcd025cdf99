package stages

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/jobs"
)

// checkInputs compares the input of every finished unit with the fingerprint recorded when it was
// committed. Units of files this run does not read are left alone (warnOtherInputs tells about them).
// With resume.on_input_change: fail a changed unit stops the run with an *outdir.InputChangedError;
// with redo its files are removed and its rows done again.
func (r *run) checkInputs(logf func(string, ...any)) error {
	recs := r.dir.Records()
	slices.SortStableFunc(recs, func(a, b outdir.Record) int {
		return cmp.Or(cmp.Compare(a.Unit.Input, b.Unit.Input), cmp.Compare(a.Unit.Start, b.Unit.Start))
	})
	var changes []outdir.InputChange
	for _, rec := range recs {
		if rec.Input == nil || !r.prints.Has(rec.Unit.Input) {
			continue
		}
		reason, err := inputChange(r.prints, rec)
		if err != nil {
			return err
		}
		if reason != "" {
			changes = append(changes, outdir.InputChange{Unit: rec.Unit, Rows: rec.Rows, Reason: reason})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	if r.job.Resume.OnInputChange != jobs.OnInputChangeRedo {
		return &outdir.InputChangedError{Dir: r.job.Output.Dir, Changes: changes}
	}
	units := make([]outdir.Unit, len(changes))
	for i, c := range changes {
		units[i] = c.Unit
		logf("notice: %s rows %d to %d changed since they were committed: %s; redoing them (resume.on_input_change: redo)",
			c.Unit.Input, c.Unit.Start, c.Unit.End, c.Reason)
	}
	return r.dir.Redo(units)
}

// inputChange says how rec's input differs from its recorded fingerprint, or "" when it matches.
func inputChange(prints *dataset.Fingerprints, rec outdir.Record) (string, error) {
	was := rec.Input
	now, err := prints.Of(rec.Unit.Input, rec.Unit.Start, rec.Unit.End)
	var short *chunk.ShortError
	if errors.As(err, &short) {
		return fmt.Sprintf("the file now holds %d rows", short.Rows), nil
	}
	if err != nil {
		return "", err
	}
	if now.Method == was.Method && now.Digest == was.Digest {
		return "", nil
	}
	what := "its rows' content"
	switch {
	case now.Method != was.Method:
		what = fmt.Sprintf("its format (fingerprint %s, recorded %s)", now.Method, was.Method)
	case now.Method == chunk.MethodParquet:
		what = "the footer's row groups holding them"
	case now.Method == chunk.MethodArrow:
		what = "the record batches holding them"
	case now.Method == chunk.MethodText:
		what = "the bytes of these rows"
	}
	var details []string
	if now.Size != was.Size {
		details = append(details, fmt.Sprintf("file size %d bytes, recorded %d", now.Size, was.Size))
	}
	if !now.ModTime.Equal(was.ModTime) {
		details = append(details, fmt.Sprintf("modified %s, recorded %s", now.ModTime.Format(time.RFC3339), was.ModTime.Format(time.RFC3339)))
	}
	if len(details) == 0 {
		return what + " differ", nil
	}
	return what + " differ (" + strings.Join(details, "; ") + ")", nil
}

// fingerprint returns the fingerprint of rows [start, end) of input, as the manifest records it.
func fingerprint(prints *dataset.Fingerprints, input string, start, end int64) (*outdir.Input, error) {
	fp, err := prints.Of(input, start, end)
	if err != nil {
		return nil, fmt.Errorf("%s changed while the run read it: %w", input, err)
	}
	in := outdir.Input(fp)
	return &in, nil
}
