package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

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

	part *part
}

// part is the output file being filled.
type part struct {
	input      string
	start, end int64
	rows       int64
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
		rec, err := w.layout.record(w.mem, u)
		if err != nil {
			return err
		}
		err = p.w.Write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("writing %s: %w", p.file.Name(), err)
		}
	}
	if len(u.rejects) > 0 {
		if err := w.reject(u); err != nil {
			return err
		}
	}
	p.rows += n
	p.end = u.unit.RowStart + u.unit.Rows
	w.stats.Rows.Add(n)
	w.stats.Rejected.Add(int64(len(u.rejects)))
	w.stats.Truncated.Add(u.truncated)
	return nil
}

// partName is deterministic: the input file's position and a hash of its path, and the first
// row, so names sort in input order and never collide across runs.
func partName(prefix string, fileIndex int, input string, start int64) string {
	h := sha256.Sum256([]byte(input))
	return fmt.Sprintf("%s-%05d-%012d-%s.parquet", prefix, fileIndex, start, hex.EncodeToString(h[:4]))
}

func (w *writer) open(u *unitState) error {
	f, err := w.dir.Create(partName("part", u.fileIndex, u.unit.File, u.unit.RowStart))
	if err != nil {
		return err
	}
	pw, err := parquetio.NewWriter(f, w.layout.schema, w.opts)
	if err != nil {
		f.Abort()
		return err
	}
	w.part = &part{input: u.unit.File, start: u.unit.RowStart, end: u.unit.RowStart, file: f, w: pw}
	return nil
}

func (w *writer) reject(u *unitState) error {
	p := w.part
	if p.rejects == nil {
		f, err := w.dir.Create(partName("_rejects", u.fileIndex, u.unit.File, p.start))
		if err != nil {
			return err
		}
		opts := w.opts
		rw, err := parquetio.NewRejectsWriter(f, w.layout.passthrough, opts)
		if err != nil {
			f.Abort()
			return err
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
	return p.rejects.WriteRejects(u.rejects, pass)
}

// commit closes the current part and records it, with its rejects, in the manifest.
func (w *writer) commit() error {
	p := w.part
	if p == nil {
		return nil
	}
	w.part = nil
	files := []*outdir.PendingFile{p.file}
	if err := p.w.Close(); err != nil {
		p.file.Abort()
		return fmt.Errorf("closing %s: %w", p.file.Name(), err)
	}
	if p.rejects != nil {
		if err := p.rejects.Close(); err != nil {
			return fmt.Errorf("closing %s: %w", p.rejectFile.Name(), err)
		}
		files = append(files, p.rejectFile)
	}
	in, err := fingerprint(w.prints, p.input, p.start, p.end)
	if err != nil {
		abortFiles(files)
		return err
	}
	if err := w.dir.CommitUnitInput(outdir.Unit{Input: p.input, Start: p.start, End: p.end}, in, p.rows, files...); err != nil {
		return err
	}
	w.stats.Files.Add(int64(len(files)))
	return nil
}

// abort drops the part being filled (the run is stopping).
func (w *writer) abort() {
	if p := w.part; p != nil {
		p.file.Abort()
		if p.rejectFile != nil {
			p.rejectFile.Abort()
		}
		w.part = nil
	}
}

func abortFiles(files []*outdir.PendingFile) {
	for _, f := range files {
		f.Abort()
	}
}
