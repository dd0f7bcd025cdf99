package outdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bertbatch/bertbatch/io/objstore"
)

// A lock on an object store is a lease: LOCK/0000000000.json,
// LOCK/0000000001.json, … (LOCK being the local lock file's name, such as
// .bertbatch.lock), one object per generation, each created with a
// conditional create. The latest generation decides: it is held while it
// is not released and its expiry, written by its holder, lies ahead. A run
// takes a free or expired lease by creating the next generation, so two
// runs cannot both take it. The holder rewrites its generation's expiry
// every third of the lease's duration, and stops recording anything once a
// later generation exists or its last renewal is older than three quarters
// of the duration: a run that takes over an expired lease (after the whole
// duration) finds the old holder stopped, as long as the clocks of the two
// machines differ, and the old holder pauses, by less than a quarter of it.

// LeaseTTLEnv names the environment variable that sets how long a lease on
// an object store lasts unless renewed (a Go duration such as 60s; at least
// 1s). A run killed without releasing its lease keeps the folder from the
// next run for this long.
const LeaseTTLEnv = "BERTBATCH_LEASE_TTL"

// DefaultLeaseTTL is the lease duration when LeaseTTLEnv is not set.
const DefaultLeaseTTL = 60 * time.Second

// leaseClock is the time leases are taken, renewed and judged by; the tests
// move it.
var leaseClock = time.Now

var leasePattern = regexp.MustCompile(`/(\d{10})\.json$`)

// leaseTTL reads LeaseTTLEnv.
func leaseTTL() (time.Duration, error) {
	v := os.Getenv(LeaseTTLEnv)
	if v == "" {
		return DefaultLeaseTTL, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("%s=%q: need a duration of at least 1s, such as 60s", LeaseTTLEnv, v)
	}
	return d, nil
}

// leaseRecord is one generation's object.
type leaseRecord struct {
	Holder   string    `json:"holder"`
	Expires  time.Time `json:"expires"`
	Released bool      `json:"released,omitempty"`
}

// held reports whether the generation still keeps others out.
func (r leaseRecord) held() bool { return !r.Released && leaseClock().Before(r.Expires) }

func (r leaseRecord) describe() string {
	return fmt.Sprintf("%s; lease until %s", r.Holder, r.Expires.UTC().Format(time.RFC3339))
}

// lease is a lease this process holds.
type lease struct {
	r      *remoteFolder
	name   string // the lock's name
	gen    int
	ttl    time.Duration
	holder string

	mu      sync.Mutex
	renewed time.Time // when the last successful renewal started
	lost    error     // set once a later generation is found
	stop    chan struct{}
	halted  sync.Once
	done    chan struct{}
}

// halt stops the renewals and waits for them to end.
func (l *lease) halt() {
	l.halted.Do(func() { close(l.stop) })
	<-l.done
}

func (l *lease) object() string { return leaseObject(l.name, l.gen) }

func leaseObject(name string, gen int) string {
	return fmt.Sprintf("%s/%0*d.json", name, recordDigits, gen)
}

// latestLease returns the latest generation of lock name, if any.
func (r *remoteFolder) latestLease(name string) (gen int, rec leaseRecord, found bool, err error) {
	objs, err := r.store.List(r.ctx, name+"/")
	if err != nil {
		return 0, rec, false, err
	}
	for i := len(objs) - 1; i >= 0; i-- {
		m := leasePattern.FindStringSubmatch(objs[i].Name)
		if m == nil {
			continue
		}
		gen, _ = strconv.Atoi(m[1])
		data, err := r.store.Read(r.ctx, objs[i].Name)
		if err != nil {
			return 0, rec, false, err
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return 0, rec, false, fmt.Errorf("lease %s is unreadable (%v); remove it once no run uses the folder", r.at(objs[i].Name), err)
		}
		return gen, rec, true, nil
	}
	return 0, rec, false, nil
}

// lock takes the lease name: a new generation after the latest, when that
// one is released or expired.
func (r *remoteFolder) lock(name string) (*DirLock, error) {
	ttl, err := leaseTTL()
	if err != nil {
		return nil, fmt.Errorf("output folder %s: %w", r, err)
	}
	gen, rec, found, err := r.latestLease(name)
	if err != nil {
		return nil, fmt.Errorf("output folder %s: read lease: %w", r, err)
	}
	if found && rec.held() {
		return nil, &LockedError{Dir: r.String(), Holder: rec.describe()}
	}
	if found {
		gen++
	}
	host, _ := os.Hostname()
	l := &lease{r: r, name: name, gen: gen, ttl: ttl, stop: make(chan struct{}), done: make(chan struct{}),
		holder: fmt.Sprintf("pid %d on host %s since %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))}
	start := leaseClock()
	data, err := l.record(start, false)
	if err == nil {
		err = r.store.CreateNew(r.ctx, l.object(), data)
	}
	if errors.Is(err, objstore.ErrExists) {
		holder := "a run that took the lease at the same moment"
		if _, rec, ok, err := r.latestLease(name); err == nil && ok {
			holder = rec.describe()
		}
		return nil, &LockedError{Dir: r.String(), Holder: holder}
	}
	if err != nil {
		return nil, fmt.Errorf("output folder %s: take lease: %w", r, err)
	}
	l.renewed = start
	r.mu.Lock()
	r.held = append(r.held, l)
	r.mu.Unlock()
	go l.renew()
	return &DirLock{release: l.release, lostErr: l.lostErr}, nil
}

// holder reports whether a run holds the lease name, and who.
func (r *remoteFolder) holder(name string) (string, bool) {
	_, rec, found, err := r.latestLease(name)
	if err != nil {
		return fmt.Sprintf("the lease cannot be read (%v)", err), true
	}
	if !found || !rec.held() {
		return "", false
	}
	return rec.describe(), true
}

func (l *lease) record(from time.Time, released bool) ([]byte, error) {
	return json.Marshal(leaseRecord{Holder: l.holder, Expires: from.Add(l.ttl).UTC(), Released: released})
}

// renew rewrites the lease's expiry every third of its duration until
// released, and notes when a later generation appears.
func (l *lease) renew() {
	defer close(l.done)
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		if l.lostLater() {
			return
		}
		start := leaseClock()
		if gen, _, found, err := l.r.latestLease(l.name); err == nil && found && gen > l.gen {
			l.mu.Lock()
			l.lost = fmt.Errorf("%w: output folder %s: another run took over the lease %s after it expired; this run stops",
				ErrLocked, l.r, leaseObject(l.name, gen))
			l.mu.Unlock()
			return
		}
		data, err := l.record(start, false)
		if err == nil {
			err = l.r.store.Put(l.r.ctx, l.object(), data)
		}
		if err == nil {
			l.mu.Lock()
			l.renewed = start
			l.mu.Unlock()
		}
		// A failed renewal is retried at the next tick; lostErr reports the
		// lease in doubt once renewals have failed for too long.
	}
}

// lostLater reports whether the lease was lost for good (a later
// generation), as opposed to not renewed lately.
func (l *lease) lostLater() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost != nil
}

// lostErr fails when the lease may no longer be this process's: a later
// generation exists, or it was not renewed for three quarters of its
// duration.
func (l *lease) lostErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	if age := leaseClock().Sub(l.renewed); age > l.ttl*3/4 {
		return fmt.Errorf("%w: output folder %s: the lease %s was last renewed %s ago (the store did not answer); "+
			"another run may take it over, so this run stops", ErrLocked, l.r, l.object(), age.Round(time.Second))
	}
	return nil
}

// release stops the renewals and marks the generation released, unless
// another run took the lease over.
func (l *lease) release() error {
	l.halt()
	l.r.mu.Lock()
	if i := slices.Index(l.r.held, l); i >= 0 {
		l.r.held = append(l.r.held[:i], l.r.held[i+1:]...)
	}
	l.r.mu.Unlock()
	if l.lostLater() {
		return nil
	}
	data, err := l.record(leaseClock(), true)
	if err == nil {
		err = l.r.store.Put(l.r.ctx, l.object(), data)
	}
	if err != nil {
		return fmt.Errorf("release lease %s: %w", l.r.at(l.object()), err)
	}
	return nil
}
