package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// When a save becomes a reload: each package waits for its debounce
// (debounceMs, restarted by every save of it) and then for none of its
// files to be unsaved in the editor, so a multi-file change is one
// transaction. Reloads, fixes and restarts then run one at a time on the
// session's worker; a reload of a package already queued merges into it, so
// saves during a reload queue exactly one follow-up.

// Job kinds of the worker.
const (
	jobReload = iota
	jobFix
	jobRestart
)

// job is one unit of interpreter work.
type job struct {
	kind    int
	pkg     string
	file    string // the saved file that triggered a reload, if any
	force   bool   // reload even if no file changed (explicit request)
	all     bool   // re-execute the whole package ("Deep reload whole package")
	fix     reload.FixParams
	waiters []chan Outcome // each gets the outcome (buffered, size 1)
}

// Outcome is what a requested job came to: a report, an error, or neither
// (nothing to do, a package imported late, an entry run again).
type Outcome struct {
	Report *reload.Report
	Err    error
}

// pendingReload is a package waiting for its debounce or for its unsaved
// files to be saved.
type pendingReload struct {
	timer *time.Timer
	file  string
	ready bool // the debounce has elapsed; waiting for saved files
}

// Errors of an Outcome, or of Events.Failed.
var (
	// ErrUnchanged: every file of the package is as it was at its last
	// reload; nothing was done.
	ErrUnchanged = errors.New("no file of the package changed since the last reload")
	// ErrNotLoaded: no interpreter imported the package.
	ErrNotLoaded = errors.New("not loaded in any interpreter")
	// ErrNoInterpreter: no interpreter of the root answers.
	ErrNoInterpreter = errors.New("no Python interpreter is running")
)

// Saved schedules the reload of the package of a saved file.
func (s *Session) Saved(path string) {
	if s.restartAfterCrashes(path) {
		return
	}
	st := s.Settings()
	pkg, ok := s.PackageOf(path)
	if !ok || !st.OnSave || st.Excluded(pkg) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending[pkg]
	if p == nil {
		p = &pendingReload{}
		s.pending[pkg] = p
	}
	p.file, p.ready = path, false
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(time.Duration(st.DebounceMS)*time.Millisecond, func() {
		s.safely("debounce", func() { s.debounced(pkg) })
	})
}

// debounced runs when a package's debounce elapses.
func (s *Session) debounced(pkg string) {
	s.mu.Lock()
	p := s.pending[pkg]
	if p != nil {
		p.ready = true
	}
	s.mu.Unlock()
	s.tryRelease(pkg)
}

// Settled tells the session that a file may have stopped being unsaved
// (saved, or closed without saving), so a reload waiting for it can go.
func (s *Session) Settled(path string) {
	if pkg, ok := s.PackageOf(path); ok {
		s.tryRelease(pkg)
	}
}

// tryRelease queues a package's reload once it is debounced and no file of
// it is unsaved.
func (s *Session) tryRelease(pkg string) {
	if s.cfg.Workspace.Unsaved(s.PackagePath(pkg)) {
		return
	}
	s.mu.Lock()
	p := s.pending[pkg]
	if p == nil || !p.ready {
		s.mu.Unlock()
		return
	}
	delete(s.pending, pkg)
	s.mu.Unlock()
	s.enqueue(&job{kind: jobReload, pkg: pkg, file: p.file})
}

// Reload queues a reload of pkg even if no file changed (an explicit
// request); all re-executes every module of it. The outcome arrives once.
func (s *Session) Reload(pkg string, all bool) <-chan Outcome {
	return s.request(&job{kind: jobReload, pkg: pkg, force: true, all: all})
}

// Fix queues fixes of stale references.
func (s *Session) Fix(p reload.FixParams) <-chan Outcome {
	return s.request(&job{kind: jobFix, pkg: p.Package, fix: p})
}

// Restart queues a restart of the embedded host (or a new discovery of the
// attached interpreters).
func (s *Session) Restart() <-chan Outcome {
	return s.request(&job{kind: jobRestart})
}

func (s *Session) request(j *job) <-chan Outcome {
	done := make(chan Outcome, 1)
	j.waiters = []chan Outcome{done}
	s.enqueue(j)
	return done
}

// enqueue adds a job; a reload of a package already queued is merged into
// it.
func (s *Session) enqueue(j *job) {
	s.mu.Lock()
	if j.kind == jobReload {
		for _, q := range s.jobs {
			if q.kind == jobReload && q.pkg == j.pkg {
				q.force = q.force || j.force
				q.all = q.all || j.all
				q.waiters = append(q.waiters, j.waiters...)
				s.mu.Unlock()
				return
			}
		}
	}
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// work runs the jobs one at a time, once the interpreters are connected,
// until the session ends.
func (s *Session) work() {
	for {
		select {
		case <-s.wake:
		case <-s.ctx.Done():
			return
		}
		select {
		case <-s.ready:
		case <-s.ctx.Done():
			return
		}
		for {
			s.mu.Lock()
			if len(s.jobs) == 0 {
				s.mu.Unlock()
				break
			}
			j := s.jobs[0]
			s.jobs = s.jobs[1:]
			s.mu.Unlock()
			out := s.run(j)
			for _, w := range j.waiters {
				w <- out
			}
		}
	}
}

func (s *Session) run(j *job) (out Outcome) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Log.Errorf("bug: panic in job: %v", p)
			out.Err = fmt.Errorf("internal error: %v", p)
		}
	}()
	switch j.kind {
	case jobRestart:
		return Outcome{Err: s.restart()}
	case jobFix:
		out = s.runFix(j)
	default:
		out = s.runReload(j)
	}
	if out.Err != nil && !errors.Is(out.Err, ErrUnchanged) {
		s.cfg.Events.Failed(j.pkg, out.Err)
	}
	return out
}
