package lsp

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/attach"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/project"
	"github.com/pyreload/pyreload/reload/supervise"
)

// startupKey is the diagnostics key of startup failures.
const startupKey = "<startup>"

// start connects the root to its interpreters: every live host or agent of
// the root and the agents its `attach` setting names, else an embedded host
// it starts. It runs off the read loop.
func (r *root) start() {
	for _, err := range r.reloadSettingsQuiet() {
		r.s.showMessage(protocol.MessageTypeWarning, "pyreload settings: "+err.Error())
	}
	st := r.currentSettings()
	interps, unreachable, err := attach.Interpreters(r.dir, st.Attach)
	if err != nil {
		r.s.log.Warningf("discover interpreters of %s: %v", r.dir, err)
	}
	for _, err := range unreachable {
		r.s.log.Warningf("%s: %v", r.dir, err)
		r.s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("pyreload: %v", err))
	}
	if len(st.Attach) > 0 && len(interps) == 0 {
		// The user named the processes to reload: a host of our own would
		// reload something else. Restarting the interpreter tries again.
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: none of the agents of %s answers (the attach setting); start them, then run pyreload.restartInterpreter", r.dir))
		r.announceState("failed")
	} else if len(interps) > 0 {
		r.mu.Lock()
		r.attached = interps
		r.mu.Unlock()
		r.s.log.Infof("%s: attached to %d interpreters", r.dir, len(interps))
		if len(st.Attach) == 0 {
			r.foundLive(interps) // one app per root (oneapp.go)
		}
		r.afterStart(false)
	} else if err := r.startHost(); err != nil {
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: could not start a Python host for %s: %v", r.dir, err))
		r.announceState("failed")
	}
	r.readyOnce.Do(func() { close(r.ready) })
}

// announceState sends the pyreload/status notification: the root's
// interpreters are "ready", "restarting" or "failed" (editor status bars
// and tests wait on it).
func (r *root) announceState(state string) {
	var pids []int
	for _, in := range r.interpreters() {
		pids = append(pids, in.Process().PID)
	}
	msg := map[string]any{"root": pathToURI(r.dir), "state": state, "pids": pids}
	if state == "ready" {
		r.mu.Lock()
		msg["interpreters"] = r.pythons
		r.mu.Unlock()
	}
	r.s.notify("pyreload/status", msg)
}

// pythonInfo names one interpreter of the root in pyreload/status: the
// Python it runs and how it is hosted ("host": the embedded CPython, "agent").
type pythonInfo struct {
	PID        int    `json:"pid"`
	Kind       string `json:"kind"`
	Python     string `json:"python"`
	Executable string `json:"executable"`
}

// startHost starts an embedded host running the entry, or importing the
// configured (else discovered) packages.
func (r *root) startHost() error {
	st := r.currentSettings()
	py, err := project.FindPython(r.dir, st.PythonPath, os.Getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, 60*time.Second)
	defer cancel()
	h, err := supervise.Start(ctx, supervise.Options{
		HostOptions: hostproto.HostOptions{Root: r.dir, Entry: st.Entry, PythonPath: py.Path, Paths: project.SysPath(r.dir, st.Paths)},
		Exe:         r.s.opts.Exe, Stderr: r.s.opts.HostStderr,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", py, err)
	}
	quit := make(chan struct{})
	r.mu.Lock()
	r.host, r.hostQuit = h, quit
	r.mu.Unlock()
	r.s.log.Infof("%s: started host pid %d in %s", r.dir, h.PID(), py)
	go r.watch(h, quit)
	r.afterStart(true)
	return nil
}

// afterStart imports packages into a fresh host, records what is loaded,
// publishes startup failures and takes the baseline of every package.
func (r *root) afterStart(embedded bool) {
	r.refreshFleet()
	st := r.currentSettings()
	var failures []reload.Failure
	if embedded {
		pkgs := st.Packages
		if len(pkgs) == 0 && st.Entry == "" {
			pkgs = r.discoverPackages()
		}
		r.mu.Lock()
		r.startup.packages = pkgs
		r.mu.Unlock()
		if len(pkgs) > 0 {
			var res struct {
				Imported []string         `json:"imported"`
				Failures []reload.Failure `json:"failures"`
			}
			r.mu.Lock()
			h := r.host
			r.mu.Unlock()
			ctx, cancel := context.WithTimeout(r.s.ctx, 60*time.Second)
			err := h.Interpreter().Call(ctx, "import", map[string]any{"modules": pkgs}, &res)
			cancel()
			if err != nil {
				r.s.log.Warningf("%s: import %v: %v", r.dir, pkgs, err)
			}
			failures = append(failures, res.Failures...)
		}
	}
	r.baseline()
	r.refreshLoaded()
	r.publishStartup(failures, nil)
	if embedded && st.Entry != "" {
		go r.watchEntry(failures)
	}
	if embedded && !r.hostAnswers() {
		return // it died starting: its watcher says so (crashloop.go)
	}
	r.announceState("ready")
}

// watchEntry polls the host's status for a while to report an entry that
// fails at startup (a bad module name, an exception in main()).
func (r *root) watchEntry(failures []reload.Failure) {
	for _, d := range []time.Duration{200 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second, 5 * time.Second} {
		select {
		case <-time.After(d):
		case <-r.s.ctx.Done():
			return
		}
		for _, st := range r.statuses() {
			if st.EntryError != nil {
				r.publishStartup(append(failures, st.StartupFailures...), st.EntryError)
				return
			}
			if st.EntryState == "finished" || st.EntryState == "failed" {
				return
			}
		}
	}
}

// watch reports the death of a host and starts a new one (crashloop.go).
// It returns when quit is closed (the server stops or restarts the host
// itself).
func (r *root) watch(h *supervise.Host, quit chan struct{}) {
	born := time.Now()
	var e supervise.Exit
	select {
	case e = <-h.Exited():
	case <-quit:
		return
	case <-r.s.ctx.Done():
		return
	}
	if e.Expected {
		return
	}
	if e.Signal == "" && e.Code == hostproto.ExitSteppedAside {
		r.steppedAside() // a `pyreload run` of the root took over (oneapp.go)
		return
	}
	r.hostDied(e, time.Since(born))
}

// restart restarts the embedded host (or starts one), or reconnects to the
// attached interpreters. It runs on the root's worker.
func (r *root) restart() error {
	r.crash.reset()
	r.closeAttached()
	r.mu.Lock()
	h, quit := r.host, r.hostQuit
	r.mu.Unlock()
	r.clearAll()
	r.announceState("restarting")
	if h == nil {
		r.start()
		return nil
	}
	close(quit) // the watcher must not take the Exit that Stop waits for
	ctx, cancel := context.WithTimeout(r.s.ctx, 60*time.Second)
	defer cancel()
	if err := h.Restart(ctx); err != nil {
		r.mu.Lock()
		r.host = nil
		r.mu.Unlock()
		r.announceState("failed")
		return err
	}
	quit = make(chan struct{})
	r.mu.Lock()
	r.hostQuit = quit
	r.mu.Unlock()
	go r.watch(h, quit)
	r.afterStart(true)
	return nil
}

// stop stops the embedded host and closes attached connections.
func (r *root) stop() {
	r.mu.Lock()
	h, quit := r.host, r.hostQuit
	r.host = nil
	r.mu.Unlock()
	if h != nil {
		close(quit)
		if err := h.Stop(); err != nil {
			r.s.log.Warningf("%s: %v", r.dir, err)
		}
	}
	r.closeAttached()
}

// closeAttached forgets the attached interpreters and closes their
// connections (the processes go on).
func (r *root) closeAttached() {
	r.mu.Lock()
	attached := r.attached
	r.attached = nil
	r.mu.Unlock()
	for _, in := range attached {
		in.Close()
	}
}

// interpreters are the root's live interpreters.
func (r *root) interpreters() []reload.Interpreter {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]reload.Interpreter(nil), r.attached...)
	if r.host != nil {
		if in := r.host.Interpreter(); in != nil {
			out = append(out, in)
		}
	}
	return out
}

func (r *root) refreshFleet() {
	f := reload.NewFleet(r.interpreters()...)
	r.mu.Lock()
	r.fleet = f
	r.mu.Unlock()
}

// statuses asks every interpreter for its status.
func (r *root) statuses() []reload.Status {
	var out []reload.Status
	for _, in := range r.interpreters() {
		var st reload.Status
		ctx, cancel := context.WithTimeout(r.s.ctx, 5*time.Second)
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
func (r *root) refreshLoaded() {
	loaded := map[string]bool{}
	var reported []string
	var pythons []pythonInfo
	for _, st := range r.statuses() {
		for _, p := range st.Packages {
			loaded[p] = true
		}
		reported = append(reported, workspaceEntries(r.dir, st.SysPath)...)
		pythons = append(pythons, pythonInfo{PID: st.PID, Kind: st.Kind, Python: st.Python, Executable: st.Executable})
	}
	r.mu.Lock()
	r.loaded = loaded
	r.reportedPath = reported
	r.pythons = pythons
	r.mu.Unlock()
}

// discoverPackages lists the root's top-level regular packages, in the
// root and its other sys.path entries (src layout, the paths setting).
func (r *root) discoverPackages() []string {
	st := r.currentSettings()
	var out []string
	for name, regular := range r.topLevel() {
		if regular && !st.Excluded(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
