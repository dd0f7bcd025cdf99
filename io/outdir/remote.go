package outdir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// remoteFolder is an output folder on an object store: one prefix of a
// bucket (s3://bucket/prefix, gs://, azblob://). An object store has no
// rename, no append and no flock; the steps the package's invariants rely
// on are kept this way:
//
//   - A file is written to a local temporary file (in os.TempDir), its
//     SHA-256 computed as it is written. Once its begin record is created,
//     it is uploaded straight to its final name: an object becomes visible
//     only when its upload completes, so a reader never sees part of one,
//     and an upload that stops leaves no object (an unfinished S3 multipart
//     upload is invisible; a bucket lifecycle rule removes its parts).
//   - The manifest NAME.jsonl is a sequence of record objects
//     NAME/0000000000.jsonl, NAME/0000000001.jsonl, …, each holding one or
//     more complete lines and each created with a conditional create
//     (If-None-Match: *) under the next number. A record is durable once
//     created, it is never torn, and two writers cannot both create record
//     N: the one that loses stops with a *LockedError. Reading concatenates
//     the records in order; a missing number is damage.
//   - The lock is a lease (lease.go), and a holder that cannot show its
//     lease is still its own creates no record.
//   - A removal is a Delete, durable when it returns; there is nothing to
//     fsync. A manifest is removed from its last record down, so a crash
//     half-way leaves a shorter manifest, never one with a gap.
//   - The completion markers (_SUCCESS…) are created only if absent; parts
//     and summaries are uploaded over any object of their name (a part is
//     only ever uploaded again with the same bytes: see docs/scale-out.md).
type remoteFolder struct {
	store *objstore.Store
	ctx   context.Context

	mu   sync.Mutex
	held []*lease // the leases this process holds on the folder
}

// openStore opens an object store location; the tests replace it with one
// that returns an in-memory bucket.
var openStore = objstore.Open

// openRemote opens the object-store folder at path; its bucket must exist.
func openRemote(path string) (folder, error) {
	loc, err := objstore.Parse(path)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	store, err := openStore(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err) // the error names the location
	}
	return &remoteFolder{store: store, ctx: ctx}, nil
}

// recordDigits is the width of a manifest record's or lease's number.
const recordDigits = 10

// recordsPrefix is where manifest's records are: _manifest-00001-of-00004.jsonl
// keeps them under _manifest-00001-of-00004/.
func recordsPrefix(manifest string) string { return strings.TrimSuffix(manifest, ".jsonl") + "/" }

// recordName is the object of record n of manifest.
func recordName(manifest string, n int) string {
	return fmt.Sprintf("%s%0*d.jsonl", recordsPrefix(manifest), recordDigits, n)
}

func isManifestName(name string) bool { return name == ManifestName || isShardManifest(name) }

func (r *remoteFolder) String() string        { return r.store.Location().String() }
func (r *remoteFolder) at(name string) string { return r.store.URL(name) }

// list returns the top-level names under the prefix: an object's name, or
// the first element of a longer key (a manifest's records are listed as
// the manifest, a lease's objects as the lock's name).
func (r *remoteFolder) list() ([]string, error) {
	objs, err := r.store.List(r.ctx, "")
	if err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, o := range objs {
		name := o.Name
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i]
			if isManifestName(name + ".jsonl") {
				name += ".jsonl"
			}
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names, nil
}

// records lists the record objects of manifest, in order.
func (r *remoteFolder) records(manifest string) ([]string, error) {
	objs, err := r.store.List(r.ctx, recordsPrefix(manifest))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
	}
	return names, nil
}

// checkRecords fails with ErrDamaged unless names are the records 0, 1, …
// of manifest without a gap.
func (r *remoteFolder) checkRecords(manifest string, names []string) error {
	for i, name := range names {
		if want := recordName(manifest, i); name != want {
			return fmt.Errorf("%w: manifest %s: expected record %s, found %s (records are numbered from 0 without gaps); run with --overwrite to start over",
				ErrDamaged, r.at(manifest), want, name)
		}
	}
	return nil
}

// readManifest reads manifest's records, 16 at a time, and returns their
// lines in order. Where a record is missing or is not one it wrote, it
// puts a line of an unknown kind naming the problem, which replay refuses
// as damage and Overwrite skips, as it skips a damaged local line.
func (r *remoteFolder) readManifest(manifest string) ([]byte, error) {
	names, err := r.records(manifest)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", r.at(manifest), os.ErrNotExist)
	}
	data := make([][]byte, len(names))
	errs := make([]error, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(16, len(names)) {
		wg.Go(func() {
			for i := range next {
				data[i], errs[i] = r.store.Read(r.ctx, names[i])
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []byte
	expected := 0
	for i, name := range names {
		n, ok := recordNumber(manifest, name)
		if !ok {
			if out, err = appendDamage(out, "object "+name+" is not a manifest record"); err != nil {
				return nil, err
			}
			continue
		}
		if n != expected {
			if out, err = appendDamage(out, "record "+recordName(manifest, expected)+" is missing, found "+name); err != nil {
				return nil, err
			}
		}
		expected = n + 1
		out = append(out, data[i]...)
		if len(data[i]) > 0 && data[i][len(data[i])-1] != '\n' {
			out = append(out, '\n') // records are created whole: no torn tail to cut
		}
	}
	return out, nil
}

// appendDamage appends a manifest line of an unknown kind that says what is
// wrong.
func appendDamage(out []byte, problem string) ([]byte, error) {
	text, err := marshalLine(line{Kind: problem})
	return append(out, text...), err
}

// recordNumber is the number of manifest's record name, if it is one.
func recordNumber(manifest, name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, recordsPrefix(manifest))
	digits, ok2 := strings.CutSuffix(digits, ".jsonl")
	if !ok || !ok2 || len(digits) != recordDigits {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 0
}

// cutManifest is never needed: records are created whole, and readManifest
// ends every record with a newline.
func (r *remoteFolder) cutManifest(name string, _ int64) error {
	return fmt.Errorf("manifest %s on an object store cannot be cut", r.at(name))
}

// createManifest creates record 0 of a new manifest holding lines.
func (r *remoteFolder) createManifest(name, _ string, lines []line) (appender, error) {
	var text []byte
	for _, l := range lines {
		t, err := marshalLine(l)
		if err != nil {
			return nil, err
		}
		text = append(text, t...)
	}
	a := &recordAppender{r: r, manifest: name}
	if err := a.create(text); err != nil {
		return nil, err
	}
	return a, nil
}

// openManifest opens manifest to append records after its last.
func (r *remoteFolder) openManifest(name string) (appender, error) {
	names, err := r.records(name)
	if err == nil {
		err = r.checkRecords(name, names)
	}
	if err != nil {
		return nil, err
	}
	return &recordAppender{r: r, manifest: name, next: len(names)}, nil
}

// removeManifest deletes manifest's records, last first.
func (r *remoteFolder) removeManifest(name string) error {
	objs, err := r.store.List(r.ctx, recordsPrefix(name))
	if err != nil {
		return err
	}
	for i := len(objs) - 1; i >= 0; i-- {
		if err := r.store.Delete(r.ctx, objs[i].Name); err != nil {
			return err
		}
	}
	return nil
}

// create starts a local temporary file that is uploaded as name when
// committed.
func (r *remoteFolder) create(_, name string) (*PendingFile, error) {
	f, err := os.CreateTemp("", "bertbatch-upload-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for %s: %w", r.at(name), err)
	}
	return &PendingFile{name: name, temp: f.Name(), file: f, sum: sha256.New(), publish: r.upload}, nil
}

// upload puts the finished temporary file temp in place as name, then
// removes temp. A completion marker is created only if none is there.
func (r *remoteFolder) upload(temp, name string) error {
	if strings.HasPrefix(name, SuccessName) {
		data, err := os.ReadFile(temp)
		if err != nil {
			return fmt.Errorf("read %s: %w", temp, err)
		}
		if err := r.store.CreateNew(r.ctx, name, data); err != nil {
			return fmt.Errorf("commit %s: %w", r.at(name), err)
		}
		return os.Remove(temp)
	}
	if err := r.put(temp, name); err != nil {
		return err
	}
	return os.Remove(temp)
}

// put uploads the local file temp as the object name; on failure the upload
// is abandoned and no object appears.
func (r *remoteFolder) put(temp, name string) (err error) {
	src, err := os.Open(temp)
	if err != nil {
		return fmt.Errorf("upload %s: %w", temp, err)
	}
	defer func() { err = errors.Join(err, src.Close()) }()
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	w, err := r.store.Create(ctx, name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		cancel() // abandons the upload: nothing becomes visible
		return errors.Join(fmt.Errorf("upload %s: %w", r.at(name), err), w.Close())
	}
	crashPoint("uploading")
	if err := w.Close(); err != nil {
		return fmt.Errorf("upload %s: %w", r.at(name), err)
	}
	return nil
}

func (r *remoteFolder) remove(names []string) error {
	for _, name := range names {
		if err := r.store.Delete(r.ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (r *remoteFolder) sync() error { return nil }

// check stats the object, then reads it through to compare its SHA-256.
func (r *remoteFolder) check(f FileInfo) string {
	o, err := r.store.Stat(r.ctx, f.Name)
	switch {
	case errors.Is(err, objstore.ErrNotFound):
		return "is missing"
	case err != nil:
		return fmt.Sprintf("cannot be read (%v)", err)
	case o.Size != f.Bytes:
		return fmt.Sprintf("has %d bytes, recorded %d", o.Size, f.Bytes)
	case f.SHA256 == "":
		return ""
	}
	rd, err := r.store.Bucket().NewReader(r.ctx, f.Name, nil)
	if err != nil {
		return fmt.Sprintf("cannot be read (%v)", err)
	}
	defer rd.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rd); err != nil {
		return fmt.Sprintf("cannot be read (%v)", err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Sprintf("has SHA-256 %s, recorded %s (changed in place)", sum, f.SHA256)
	}
	return ""
}

func (r *remoteFolder) close() error { return r.store.Close() }

// guard fails when a lease this process holds on the folder may no longer
// be its own: nothing is recorded then.
func (r *remoteFolder) guard() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.held {
		if err := l.lostErr(); err != nil {
			return err
		}
	}
	return nil
}

// recordAppender appends records to a manifest on an object store.
type recordAppender struct {
	r        *remoteFolder
	manifest string
	next     int // the number of the next record
}

func (a *recordAppender) append(l line) error {
	text, err := marshalLine(l)
	if err != nil {
		return err
	}
	if err := a.create(text); err != nil {
		return err
	}
	crashPoint("manifest-appended")
	return nil
}

// create creates the next record holding text, only if no record of that
// number exists.
func (a *recordAppender) create(text []byte) error {
	if err := a.r.guard(); err != nil {
		return err
	}
	err := a.r.store.CreateNew(a.r.ctx, recordName(a.manifest, a.next), text)
	if errors.Is(err, objstore.ErrExists) {
		return &LockedError{Dir: a.r.String(), Holder: fmt.Sprintf("a run that created record %d of %s before this one could; this run stops",
			a.next, a.manifest)}
	}
	if err != nil {
		return fmt.Errorf("append to manifest %s: %w", a.r.at(a.manifest), err)
	}
	a.next++
	return nil
}

func (a *recordAppender) close() error { return nil }
