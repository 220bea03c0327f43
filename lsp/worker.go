package lsp

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// Job kinds of a root's worker.
const (
	jobReload = iota
	jobFix
	jobRestart
)

// job is one unit of interpreter work; the worker runs them one at a time,
// so reloads, fixes and restarts of a root never interleave.
type job struct {
	kind    int
	pkg     string
	file    string // the saved file that triggered a reload, if any
	force   bool   // reload even if no file changed (explicit request)
	all     bool   // re-execute the whole package ("Deep reload whole package")
	fix     reload.FixParams
	waiters []chan jobResult // each gets the result (buffered, size 1)
	started time.Time
}

type jobResult struct {
	report *reload.Report
	err    error
}

// pendingReload is a package waiting for its debounce or for its dirty
// files to be saved.
type pendingReload struct {
	timer *time.Timer
	file  string
	ready bool // the debounce has elapsed; waiting for clean files
}

// saved schedules the reload of the package of a saved file.
func (r *root) saved(path string) {
	if r.restartAfterCrashes(path) {
		return
	}
	st := r.currentSettings()
	pkg, ok := r.packageOf(path)
	if !ok || !st.OnSave || st.Excluded(pkg) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pending[pkg]
	if p == nil {
		p = &pendingReload{}
		r.pending[pkg] = p
	}
	p.file, p.ready = path, false
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(time.Duration(st.DebounceMS)*time.Millisecond, func() { r.debounced(pkg) })
}

// debounced runs when a package's debounce elapses.
func (r *root) debounced(pkg string) {
	r.mu.Lock()
	p := r.pending[pkg]
	if p != nil {
		p.ready = true
	}
	r.mu.Unlock()
	r.tryRelease(pkg)
}

// settled is called when an open file may have stopped being dirty.
func (r *root) settled(path string) {
	if pkg, ok := r.packageOf(path); ok {
		r.tryRelease(pkg)
	}
}

// tryRelease queues a package's reload once it is debounced and no file of
// it is dirty in the editor, so a multi-file change is one transaction.
func (r *root) tryRelease(pkg string) {
	if r.s.docs.dirtyUnder(r.packagePath(pkg)) {
		return
	}
	r.mu.Lock()
	p := r.pending[pkg]
	if p == nil || !p.ready {
		r.mu.Unlock()
		return
	}
	delete(r.pending, pkg)
	r.mu.Unlock()
	r.enqueue(&job{kind: jobReload, pkg: pkg, file: p.file})
}

// enqueue adds a job; a reload of a package already queued is merged into
// it, so saves during a reload queue exactly one follow-up.
func (r *root) enqueue(j *job) {
	j.started = time.Now()
	r.mu.Lock()
	if j.kind == jobReload {
		for _, q := range r.jobs {
			if q.kind == jobReload && q.pkg == j.pkg {
				q.force = q.force || j.force
				q.all = q.all || j.all
				q.waiters = append(q.waiters, j.waiters...)
				r.mu.Unlock()
				return
			}
		}
	}
	r.jobs = append(r.jobs, j)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// work runs the root's jobs one at a time until the session ends.
func (r *root) work() {
	for {
		select {
		case <-r.wake:
		case <-r.s.ctx.Done():
			return
		}
		select { // interpreters first
		case <-r.ready:
		case <-r.s.ctx.Done():
			return
		}
		for {
			r.mu.Lock()
			if len(r.jobs) == 0 {
				r.mu.Unlock()
				break
			}
			j := r.jobs[0]
			r.jobs = r.jobs[1:]
			r.mu.Unlock()
			res := r.run(j)
			for _, w := range j.waiters {
				w <- res
			}
		}
	}
}

func (r *root) run(j *job) (res jobResult) {
	defer func() {
		if p := recover(); p != nil {
			r.s.log.Errorf("bug: panic in job: %v", p)
			res.err = errorf("internal error: %v", p)
		}
	}()
	switch j.kind {
	case jobRestart:
		return jobResult{err: r.restart()}
	case jobFix:
		return r.runFix(j)
	}
	return r.runReload(j)
}

// packageHash hashes every Python source of a package, names included.
func (r *root) packageHash(pkg string) [32]byte {
	base := r.packagePath(pkg)
	var files []string
	filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "__pycache__" || strings.HasPrefix(d.Name(), ".")) && p != base {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".py") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, _ := os.ReadFile(f)
		sum := sha256.Sum256(data)
		h.Write([]byte(f))
		h.Write(sum[:])
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// baseline records the content of every package as the interpreters
// loaded it.
func (r *root) baseline() {
	hashes := map[string][32]byte{}
	for pkg := range r.topLevel() {
		hashes[pkg] = r.packageHash(pkg)
	}
	r.mu.Lock()
	r.hashes = hashes
	r.mu.Unlock()
}
