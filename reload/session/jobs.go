package session

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// CallTimeout bounds one reload, scan or fix in every interpreter (a reload
// whose reloadTimeoutMs is longer gets that plus a minute).
const CallTimeout = 2 * time.Minute

// runReload reloads one package in every interpreter and reports the
// result. Without force it does nothing for a package that is not loaded
// or whose files are as they were at its last reload.
func (s *Session) runReload(j *job) Outcome {
	if s.rerunEntry(j.file) {
		return Outcome{}
	}
	if !s.cfg.OwnHost {
		s.rediscover() // a run or an agent may have started or ended since
	}
	hash := s.packageHash(j.pkg)
	s.mu.Lock()
	prev, had := s.hashes[j.pkg]
	loaded := s.loaded[j.pkg]
	s.mu.Unlock()
	if !j.force && had && prev == hash {
		s.cfg.Log.Debugf("%s: %s unchanged since its last reload", s.dir, j.pkg)
		return Outcome{Err: ErrUnchanged}
	}
	if !loaded {
		s.refreshLoaded()
		s.mu.Lock()
		loaded = s.loaded[j.pkg]
		s.mu.Unlock()
	}
	if !loaded {
		if out, tried := s.importLate(j.pkg, hash); tried {
			return out
		}
		if !j.force && s.cfg.OwnHost {
			s.cfg.Log.Infof("%s: %s is not loaded in any interpreter; not reloading", s.dir, j.pkg)
			return Outcome{Err: fmt.Errorf("package %s is %w", j.pkg, ErrNotLoaded)}
		}
	}
	s.mu.Lock()
	fleet, st := s.fleet, s.settings
	s.mu.Unlock()
	if fleet == nil || fleet.Len() == 0 {
		return Outcome{Err: fmt.Errorf("%w for %s", ErrNoInterpreter, s.dir)}
	}
	end := s.cfg.Events.Progress("Reloading " + j.pkg)
	ctx, cancel := context.WithTimeout(s.ctx, max(CallTimeout, time.Duration(st.ReloadTimeoutMS)*time.Millisecond+time.Minute))
	defer cancel()
	rep, err := fleet.Reload(ctx, reload.ReloadParams{Package: j.pkg, Mode: st.Mode, TimeoutMS: st.ReloadTimeoutMS,
		All: j.all || s.cfg.All, Reset: s.cfg.Reset, Hooks: st.Hooks})
	s.afterFleetCall(rep, err)
	s.mu.Lock()
	s.hashes[j.pkg] = hash
	s.mu.Unlock()
	if err != nil {
		end("failed")
		return Outcome{Err: &ReloadError{Err: err}}
	}
	done := Done{Package: j.pkg, Trigger: j.file, Report: rep}
	if s.cfg.FixAfter != "" && rep.OK {
		fixed, err := fleet.Fix(ctx, reload.FixParams{Kind: s.cfg.FixAfter, Package: rep.Package})
		if err != nil {
			end("failed")
			return Outcome{Err: &ReloadError{Err: err}}
		}
		done.Fixed = &fixed
	}
	s.cfg.Events.Reported(done)
	end(reload.Summary(done.Last()))
	s.mu.Lock()
	s.loaded[j.pkg] = true
	s.mu.Unlock()
	last := done.Last()
	return Outcome{Report: &last}
}

// ReloadError is a reload or fix the interpreters could not do (the
// connection failed, the engine raised): the old code still runs.
type ReloadError struct{ Err error }

func (e *ReloadError) Error() string { return e.Err.Error() }
func (e *ReloadError) Unwrap() error { return e.Err }

// runFix applies fixes in every interpreter and reports the rescanned
// report that comes back.
func (s *Session) runFix(j *job) Outcome {
	s.mu.Lock()
	fleet := s.fleet
	s.mu.Unlock()
	if fleet == nil || fleet.Len() == 0 {
		return Outcome{Err: fmt.Errorf("%w for %s", ErrNoInterpreter, s.dir)}
	}
	end := s.cfg.Events.Progress("Fixing stale references to " + j.fix.Package)
	ctx, cancel := context.WithTimeout(s.ctx, CallTimeout)
	rep, err := fleet.Fix(ctx, j.fix)
	cancel()
	s.afterFleetCall(rep, err)
	if err != nil {
		end("failed")
		return Outcome{Err: err}
	}
	if rep.Package == "" {
		rep.Package = j.fix.Package
	}
	s.cfg.Events.Reported(Done{Package: j.fix.Package, Report: rep})
	end(reload.Summary(rep))
	return Outcome{Report: &rep}
}

// afterFleetCall notices attached interpreters that stopped answering (an
// app that exited): the root's interpreters are discovered again, and with
// none left a session with its own host starts one.
func (s *Session) afterFleetCall(rep reload.Report, err error) {
	s.mu.Lock()
	attached := len(s.attached) > 0
	s.mu.Unlock()
	if !attached || err == nil && len(rep.Errors) == 0 {
		return
	}
	s.cfg.Log.Warningf("%s: an attached interpreter did not answer; discovering again", s.dir)
	s.closeAttached()
	s.Start()
}

// packageHash hashes every Python source of a package, names included.
func (s *Session) packageHash(pkg string) [32]byte {
	base := s.PackagePath(pkg)
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
func (s *Session) baseline() {
	hashes := map[string][32]byte{}
	for pkg := range s.topLevel() {
		hashes[pkg] = s.packageHash(pkg)
	}
	s.mu.Lock()
	s.hashes = hashes
	s.mu.Unlock()
}
