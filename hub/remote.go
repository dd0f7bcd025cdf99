package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// remoteFolderName is the cache folder of the model folder at loc: the scheme and bucket, for people
// reading the cache, and a digest of the whole location, so that two prefixes never share a folder.
func remoteFolderName(loc objstore.Location) string {
	sum := sha256.Sum256([]byte(loc.String()))
	return "objects--" + string(loc.Scheme) + "--" + loc.Bucket + "--" + hex.EncodeToString(sum[:8])
}

// remoteCache is the cache folder of one object-storage model folder: snapshots/<version>/ holds the
// copied files of one version of the folder's objects (renamed into place complete), and the file
// "version" names the last version resolved, for offline runs.
type remoteCache struct{ dir string }

func (c remoteCache) snapshotDir(version string) string {
	return filepath.Join(c.dir, "snapshots", version)
}
func (c remoteCache) versionPath() string { return filepath.Join(c.dir, "version") }

// resolveRemote copies the files a job needs from the model folder at loc into the cache, unless the
// same version of them is there already, and resolves the copy as a local folder. A version is named
// by a digest of the location and each needed object's name, size and modification time, so a
// changed object makes a new copy and an unchanged folder is never downloaded twice. Offline, the
// last version resolved is used without any request.
func resolveRemote(ctx context.Context, ref string, loc objstore.Location, s *settings) (*Snapshot, error) {
	rc := remoteCache{dir: filepath.Join(s.cacheDir, remoteFolderName(loc))}
	if s.offline {
		data, err := os.ReadFile(rc.versionPath())
		if err != nil {
			return nil, fmt.Errorf("%w: model %s was never copied into the cache %s; run once online (bertbatch pull %s)",
				ErrNotCached, loc, s.cacheDir, loc)
		}
		return snapshotOf(ctx, ref, rc.snapshotDir(strings.TrimSpace(string(data))), s)
	}
	store, err := objstore.Open(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	defer store.Close()
	objs, err := store.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	src := newRemoteSource(store, objs)
	files, err := selectFiles(ctx, src, s.logf)
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("hub: model %s lacks %s; give the location that holds the model's config.json and weights "+
				"(it holds %d objects)", loc, strings.Join(missing.files, ", "), len(src.objs))
		}
		return nil, fmt.Errorf("hub: model %s: %w", loc, err)
	}
	version := src.version(loc, files)
	dir := rc.snapshotDir(version)
	if _, err := os.Stat(dir); err != nil {
		if err := copyRemote(ctx, store, src, files, dir); err != nil {
			return nil, err
		}
		s.logf("hub: copied %d files of %s into %s", len(files), loc, dir)
	}
	if err := writeFileAtomic(rc.versionPath(), []byte(version)); err != nil {
		return nil, err
	}
	return snapshotOf(ctx, ref, dir, s)
}

// snapshotOf resolves a copied folder as a local model folder named by ref.
func snapshotOf(ctx context.Context, ref, dir string, s *settings) (*Snapshot, error) {
	snap, err := resolveLocal(ctx, ref, dir, s.logf)
	if err != nil {
		return nil, err
	}
	snap.Ref = ref
	return snap, nil
}

// copyRemote downloads files into a temporary folder beside dir, checks each one's size, and renames
// the folder to dir: a failed or interrupted copy leaves no dir behind. When another process put dir
// in place first, its copy is kept.
func copyRemote(ctx context.Context, store *objstore.Store, src *remoteSource, files []string, dir string) (err error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o777); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".incomplete-")
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = fmt.Errorf("hub: removing %s: %w", tmp, rmErr)
		}
	}()
	for _, name := range files {
		if err := downloadObject(ctx, store, name, src.sizes[name], filepath.Join(tmp, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil
		}
		return fmt.Errorf("hub: putting the copy in place at %s: %w", dir, err)
	}
	return nil
}

// downloadObject writes the object name to path and checks it has size bytes.
func downloadObject(ctx context.Context, store *objstore.Store, name string, size int64, path string) error {
	if err := validateFilename(name); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	r, err := store.Bucket().NewReader(ctx, name, nil)
	if err != nil {
		return fmt.Errorf("hub: reading %s: %w", store.URL(name), err)
	}
	defer r.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("hub: copying %s: %w", store.URL(name), err)
	}
	if n != size {
		return fmt.Errorf("hub: copying %s: got %d bytes, the listing says %d; the object changed during the copy, retry",
			store.URL(name), n, size)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file renamed into place.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + "." + randomSuffix() + ".incomplete"
	if err := os.WriteFile(tmp, data, 0o666); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("hub: %w", err), removeTemp(tmp))
	}
	return nil
}

// remoteSource selects from the objects of a model folder in object storage: as with a local folder,
// only files at the top and in direct subfolders count, hidden ones left out.
type remoteSource struct {
	store  *objstore.Store
	objs   []string // sorted
	sizes  map[string]int64
	mtimes map[string]int64 // Unix nanoseconds
}

func newRemoteSource(store *objstore.Store, objs []objstore.Object) *remoteSource {
	src := &remoteSource{store: store, sizes: map[string]int64{}, mtimes: map[string]int64{}}
	for _, o := range objs {
		parts := strings.Split(o.Name, "/")
		if len(parts) > 2 || strings.HasPrefix(parts[0], ".") || strings.HasPrefix(parts[len(parts)-1], ".") {
			continue
		}
		src.objs = append(src.objs, o.Name)
		src.sizes[o.Name], src.mtimes[o.Name] = o.Size, o.ModTime.UnixNano()
	}
	sort.Strings(src.objs)
	return src
}

func (r *remoteSource) has(name string) bool {
	_, ok := r.sizes[name]
	return ok
}

func (r *remoteSource) names() []string { return r.objs }

func (r *remoteSource) read(ctx context.Context, name string) ([]byte, error) {
	if r.sizes[name] > maxReadBytes {
		return nil, fmt.Errorf("hub: %s is larger than %d MiB; it cannot be a model index", r.store.URL(name), maxReadBytes>>20)
	}
	return r.store.Read(ctx, name)
}

// version names one state of the needed files: a digest of the location and each file's name, size
// and modification time.
func (r *remoteSource) version(loc objstore.Location, files []string) string {
	h := sha256.New()
	h.Write([]byte(loc.String() + "\n"))
	for _, f := range files {
		h.Write([]byte(f + "\x00" + strconv.FormatInt(r.sizes[f], 10) + "\x00" + strconv.FormatInt(r.mtimes[f], 10) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
