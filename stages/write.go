package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/io/parquetio"
	"github.com/bertbatch/bertbatch/io/shard"
)

// writer gathers consecutive finished units of one input file into output parts of at most
// rowsPerFile rows and commits each part, with its rejects file, as one unit of the manifest.
type writer struct {
	dir         *outdir.Dir
	prints      *dataset.Fingerprints
	layout      *layout
	opts        parquetio.WriterOptions
	rowsPerFile int64
	mem         memory.Allocator
	stats       *Stats
	blocks      shard.Blocks // a part never crosses a block, so that shards write one run's parts
	clock       *timeline

	part *part
}

// part is the output file being filled.
type part struct {
	input      string
	start, end int64
	rows       int64
	rejected   int64
	truncated  int64
	file       *outdir.PendingFile
	w          *parquetio.Writer
	rejectFile *outdir.PendingFile
	rejects    *parquetio.RejectsWriter
}

// add writes a finished unit, committing the current part first when the unit does not
// continue it.
func (w *writer) add(u *unitState) error {
	defer u.passthrough.Release()
	n := int64(len(u.good))
	if p := w.part; p != nil && (p.input != u.unit.File || p.end != u.unit.RowStart || p.rows+n > w.rowsPerFile ||
		w.blocks.Size > 0 && u.unit.RowStart/w.blocks.Size != p.start/w.blocks.Size) {
		if err := w.commit(); err != nil {
			return err
		}
	}
	if w.part == nil {
		if err := w.open(u); err != nil {
			return err
		}
	}
	p := w.part
	if n > 0 {
		defer w.clock.add(stageEncode, time.Now())
		rec, err := w.layout.record(w.mem, u)
		if err != nil {
			return err
		}
		err = p.w.Write(rec)
		rec.Release()
		if err != nil {
			return w.fileError(p.file.Name(), err)
		}
	}
	if len(u.rejects) > 0 {
		if err := w.reject(u); err != nil {
			return err
		}
	}
	p.rows += n
	p.rejected += int64(len(u.rejects))
	p.truncated += u.truncated
	p.end = u.unit.RowStart + u.unit.Rows
	return nil
}

// partName is deterministic: the input file's position and a hash of its path, and the first
// row, so names sort in input order and never collide across runs.
func partName(prefix string, fileIndex int, input string, start int64) string {
	h := sha256.Sum256([]byte(input))
	return fmt.Sprintf("%s-%05d-%012d-%s.parquet", prefix, fileIndex, start, hex.EncodeToString(h[:4]))
}

func (w *writer) open(u *unitState) error {
	name := partName("part", u.fileIndex, u.unit.File, u.unit.RowStart)
	f, err := w.dir.Create(name)
	if err != nil {
		return w.fileError(name, err)
	}
	pw, err := parquetio.NewWriter(f, w.layout.schema, w.opts)
	if err != nil {
		return errors.Join(w.fileError(name, err), f.Abort())
	}
	w.part = &part{input: u.unit.File, start: u.unit.RowStart, end: u.unit.RowStart, file: f, w: pw}
	return nil
}

func (w *writer) reject(u *unitState) error {
	p := w.part
	if p.rejects == nil {
		name := partName("_rejects", u.fileIndex, u.unit.File, p.start)
		f, err := w.dir.Create(name)
		if err != nil {
			return w.fileError(name, err)
		}
		opts := w.opts
		rw, err := parquetio.NewRejectsWriter(f, w.layout.passthrough, opts)
		if err != nil {
			return errors.Join(w.fileError(name, err), f.Abort())
		}
		p.rejectFile, p.rejects = f, rw
	}
	rows := make([]int, len(u.rejects))
	for i, r := range u.rejects {
		rows[i] = int(r.Row - u.base)
	}
	pass, err := dataset.SelectRows(w.mem, u.passthrough, rows)
	if err != nil {
		return err
	}
	defer pass.Release()
	if err := p.rejects.WriteRejects(u.rejects, pass); err != nil {
		return w.fileError(p.rejectFile.Name(), err)
	}
	return nil
}

// commit closes the current part and records it, with its rejects, in the manifest.
func (w *writer) commit() error {
	p := w.part
	if p == nil {
		return nil
	}
	defer w.clock.add(stageCommit, time.Now())
	w.part = nil
	if err := p.w.Close(); err != nil {
		return errors.Join(w.fileError(p.file.Name(), err), p.abort())
	}
	files := []*outdir.PendingFile{p.file}
	if p.rejects != nil {
		if err := p.rejects.Close(); err != nil {
			return errors.Join(w.fileError(p.rejectFile.Name(), err), p.abort())
		}
		files = append(files, p.rejectFile)
	}
	in, err := fingerprint(w.prints, p.input, p.start, p.end)
	if err != nil {
		return errors.Join(err, p.abort())
	}
	if err := w.dir.CommitUnitInput(outdir.Unit{Input: p.input, Start: p.start, End: p.end}, in, p.rows, files...); err != nil {
		return errors.Join(err, p.abort())
	}
	w.stats.Rows.Add(p.rows)
	w.stats.Rejected.Add(p.rejected)
	w.stats.Truncated.Add(p.truncated)
	w.stats.Files.Add(int64(len(files)))
	return nil
}

// abort drops the part being filled (the run is stopping).
func (w *writer) abort() error {
	p := w.part
	if p == nil {
		return nil
	}
	w.part = nil
	return p.abort()
}

// abort removes the part's pending files, its rejects file included; committed files are kept.
func (p *part) abort() error {
	err := p.file.Abort()
	if p.rejectFile != nil {
		err = errors.Join(err, p.rejectFile.Abort())
	}
	return err
}
