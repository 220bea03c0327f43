package session

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// hostStartTimeout bounds the start (or restart) of an embedded host and
// its first imports.
const hostStartTimeout = 60 * time.Second

// Start connects the session to its interpreters: every live host or agent
// of the root and the agents its `attach` setting names, else (with
// OwnHost) an embedded host it starts. Call it off the owner's read loop;
// the worker runs jobs once it has returned.
func (s *Session) Start() {
	defer s.readyOnce.Do(func() { close(s.ready) })
	st := s.readSettings()
	interps, unreachable, err := s.cfg.Interpreters.Discover(s.dir, st.Attach)
	if err != nil {
		s.cfg.Log.Warningf("discover interpreters of %s: %v", s.dir, err)
	}
	for _, err := range unreachable {
		s.cfg.Log.Warningf("%s: %v", s.dir, err)
		s.message(Warning, "pyreload: %v", err)
	}
	switch {
	case len(interps) > 0:
		// A live app of the root (not the agents the user named) is one app
		// per root's business (oneapp.go).
		s.attachTo(interps, len(st.Attach) == 0 && s.cfg.OwnHost)
	case !s.cfg.OwnHost:
		s.refreshFleet()
		s.status(Status{State: "failed", Reason: "no interpreter of the root answers"})
	case len(st.Attach) > 0:
		// The user named the processes to reload: a host of our own would
		// reload something else. Restarting the interpreter tries again.
		s.message(Error, "pyreload: none of the agents of %s answers (the attach setting); start them, then run pyreload.restartInterpreter", s.dir)
		s.status(Status{State: "failed"})
	default:
		if err := s.startHost(); err != nil {
			s.message(Error, "pyreload: could not start a Python host for %s: %v", s.dir, err)
			s.status(Status{State: "failed"})
		}
	}
}

// attachTo makes ins the session's interpreters, as found at a start;
// live: they are the root's own app running elsewhere (foundLive).
func (s *Session) attachTo(ins []reload.Interpreter, live bool) {
	s.mu.Lock()
	s.attached = ins
	s.mu.Unlock()
	s.cfg.Log.Infof("%s: attached to %d interpreters", s.dir, len(ins))
	if live {
		s.foundLive(ins)
	}
	s.afterStart(false)
}

// rediscover replaces the attached interpreters with those that answer now,
// keeping the baseline (a session without its own host, before a reload).
// What they loaded is asked again only when other processes answer: a
// status costs an app with many modules milliseconds.
func (s *Session) rediscover() {
	ins, _, err := s.cfg.Interpreters.Discover(s.dir, s.Settings().Attach)
	if err != nil {
		s.cfg.Log.Warningf("discover interpreters of %s: %v", s.dir, err)
	}
	before := pids(s.interpreters())
	s.closeAttached()
	s.mu.Lock()
	s.attached = ins
	s.mu.Unlock()
	s.refreshFleet()
	if !slices.Equal(before, pids(ins)) {
		s.refreshLoaded()
	}
}

// pids are the sorted process ids of ins.
func pids(ins []reload.Interpreter) []int {
	out := make([]int, len(ins))
	for n, in := range ins {
		out[n] = in.Process().PID
	}
	slices.Sort(out)
	return out
}

// status sends a Status, with the pids (unless given) and, when ready, the
// Pythons of the interpreters.
func (s *Session) status(st Status) {
	if st.PIDs == nil {
		for _, in := range s.interpreters() {
			st.PIDs = append(st.PIDs, in.Process().PID)
		}
	}
	if st.State == "ready" {
		s.mu.Lock()
		st.Interpreters = s.pythons
		s.mu.Unlock()
	}
	s.cfg.Events.Status(st)
}

// startHost starts an embedded host running the entry, or importing the
// configured (else discovered) packages.
func (s *Session) startHost() error {
	ctx, cancel := context.WithTimeout(s.ctx, hostStartTimeout)
	defer cancel()
	h, err := s.cfg.Interpreters.StartHost(ctx, s.dir, s.Settings())
	if err != nil {
		return err
	}
	quit := make(chan struct{})
	s.mu.Lock()
	s.host, s.hostQuit = h, quit
	s.mu.Unlock()
	s.cfg.Log.Infof("%s: started host pid %d", s.dir, h.PID())
	s.goSafe("watch host", func() { s.watch(h, quit) })
	s.afterStart(true)
	return nil
}

// afterStart imports packages into a fresh host, records what is loaded,
// reports startup failures and takes the baseline of every package.
func (s *Session) afterStart(embedded bool) {
	s.refreshFleet()
	st := s.Settings()
	var failures []reload.Failure
	if embedded {
		pkgs := st.Packages
		if len(pkgs) == 0 && st.Entry == "" {
			pkgs = s.discoverPackages()
		}
		s.mu.Lock()
		s.startup.packages = pkgs
		h := s.host
		s.mu.Unlock()
		if len(pkgs) > 0 && h != nil {
			var res struct {
				Imported []string         `json:"imported"`
				Failures []reload.Failure `json:"failures"`
			}
			ctx, cancel := context.WithTimeout(s.ctx, hostStartTimeout)
			err := h.Interpreter().Call(ctx, "import", map[string]any{"modules": pkgs}, &res)
			cancel()
			if err != nil {
				s.cfg.Log.Warningf("%s: import %v: %v", s.dir, pkgs, err)
			}
			failures = append(failures, res.Failures...)
		}
	}
	s.baseline()
	s.refreshLoaded()
	s.setStartup(failures, nil)
	if embedded && st.Entry != "" {
		s.goSafe("watch entry", func() { s.watchEntry(failures) })
	}
	if embedded && !s.hostAnswers() {
		return // it died starting: its watcher says so (crashloop.go)
	}
	s.status(Status{State: "ready"})
}

// setStartup keeps what failed at startup (for the retries of retry.go)
// and tells the owner.
func (s *Session) setStartup(failures []reload.Failure, entry *reload.Failure) {
	s.mu.Lock()
	s.startup.failures, s.startup.entry = failures, entry
	s.mu.Unlock()
	s.cfg.Events.Startup(failures, entry)
}

// watchEntry polls the host's status for a while to report an entry that
// fails at startup (a bad module name, an exception in main()).
func (s *Session) watchEntry(failures []reload.Failure) {
	for _, d := range []time.Duration{200 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second, 5 * time.Second} {
		select {
		case <-time.After(d):
		case <-s.ctx.Done():
			return
		}
		for _, st := range s.statuses() {
			if st.EntryError != nil {
				s.setStartup(append(failures, st.StartupFailures...), st.EntryError)
				return
			}
			if st.EntryState == "finished" || st.EntryState == "failed" {
				return
			}
		}
	}
}

// watch handles the death of a host: a crash starts a new one
// (crashloop.go), a step-aside attaches to the run (oneapp.go). It returns
// when quit is closed (the session stops or restarts the host itself).
func (s *Session) watch(h Host, quit chan struct{}) {
	born := time.Now()
	var e Exit
	select {
	case e = <-h.Exited():
	case <-quit:
		return
	case <-s.ctx.Done():
		return
	}
	if e.Expected {
		return
	}
	if e.Signal == "" && e.Code == hostproto.ExitSteppedAside {
		s.steppedAside()
		return
	}
	s.hostDied(e, time.Since(born))
}

// restart restarts the embedded host (or starts one), or reconnects to the
// attached interpreters. It runs on the worker.
func (s *Session) restart() error {
	s.crash.reset()
	s.closeAttached()
	s.mu.Lock()
	h, quit := s.host, s.hostQuit
	s.mu.Unlock()
	s.cfg.Events.Cleared()
	s.status(Status{State: "restarting"})
	if h == nil {
		s.Start()
		return nil
	}
	close(quit) // the watcher must not take the Exit that Stop waits for
	ctx, cancel := context.WithTimeout(s.ctx, hostStartTimeout)
	defer cancel()
	if err := h.Restart(ctx); err != nil {
		s.mu.Lock()
		s.host = nil
		s.mu.Unlock()
		s.status(Status{State: "failed"})
		return err
	}
	quit = make(chan struct{})
	s.mu.Lock()
	s.hostQuit = quit
	s.mu.Unlock()
	s.goSafe("watch host", func() { s.watch(h, quit) })
	s.afterStart(true)
	return nil
}

// hostGone forgets the embedded host whose process ended on its own, and
// with it every finding (its watcher calls it).
func (s *Session) hostGone() {
	s.cfg.Events.Cleared()
	s.mu.Lock()
	s.host = nil
	s.mu.Unlock()
	s.refreshFleet()
}

// closeAttached forgets the attached interpreters and closes their
// connections (the processes go on).
func (s *Session) closeAttached() {
	s.mu.Lock()
	attached := s.attached
	s.attached = nil
	s.mu.Unlock()
	for _, in := range attached {
		in.Close()
	}
}

// interpreters are the session's live interpreters.
func (s *Session) interpreters() []reload.Interpreter {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]reload.Interpreter(nil), s.attached...)
	if s.host != nil {
		if in := s.host.Interpreter(); in != nil {
			out = append(out, in)
		}
	}
	return out
}

func (s *Session) refreshFleet() {
	f := reload.NewFleet(s.interpreters()...)
	s.mu.Lock()
	s.fleet = f
	s.mu.Unlock()
}

// statuses asks every interpreter for its status.
func (s *Session) statuses() []reload.Status {
	var out []reload.Status
	for _, in := range s.interpreters() {
		var st reload.Status
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		err := in.Call(ctx, "status", nil, &st)
		cancel()
		if err == nil {
			out = append(out, st)
		}
	}
	return out
}

// refreshLoaded records which workspace packages the interpreters loaded
// and which of the root's directories are on their sys.path.
func (s *Session) refreshLoaded() {
	loaded := map[string]bool{}
	var reported []string
	var pythons []Python
	for _, st := range s.statuses() {
		for _, p := range st.Packages {
			loaded[p] = true
		}
		reported = append(reported, workspaceEntries(s.dir, st.SysPath)...)
		pythons = append(pythons, Python{PID: st.PID, Kind: st.Kind, Python: st.Python, Executable: st.Executable})
	}
	s.mu.Lock()
	s.loaded = loaded
	s.reportedPath = reported
	s.pythons = pythons
	s.mu.Unlock()
}

// Loaded reports whether an interpreter imported the top-level package.
func (s *Session) Loaded(pkg string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded[pkg]
}

// discoverPackages lists the root's top-level regular packages, in the
// root and its other sys.path entries (src layout, the paths setting).
func (s *Session) discoverPackages() []string {
	st := s.Settings()
	var out []string
	for name, regular := range s.topLevel() {
		if regular && !st.Excluded(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
