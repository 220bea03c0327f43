package session

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// One app per root. A session's own host runs the root's `entry` (so the
// app's objects are there to reload) or, without one, imports its packages.
// A terminal `pyreload run` of the same root takes over: the session
// attaches to the run's interpreter when it finds one at start, and a run
// that starts later asks the session's host to step aside (it exits with
// hostproto.ExitSteppedAside) and the session attaches to the run. When the
// run ends, the session starts its own host again. Never two copies of the
// app fight over a port.

// runWait bounds the wait for the run's interpreter after a step-aside.
const runWait = 30 * time.Second

// steppedAside handles the exit of a host that made way for a `pyreload
// run` of the root: reload into the run's interpreter once it answers, or,
// if none does, start the session's own host again.
func (s *Session) steppedAside() {
	s.hostGone()
	s.status(Status{State: "restarting"})
	s.cfg.Log.Infof("%s: the host stepped aside for a pyreload run", s.dir)
	for deadline := time.Now().Add(runWait); time.Now().Before(deadline); {
		if s.ctx.Err() != nil {
			return
		}
		if s.attachLive() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.message(Warning, "pyreload: no `pyreload run` of %s answered; starting the editor's own interpreter again", s.dir)
	if err := s.startHost(); err != nil {
		s.message(Error, "pyreload: could not start a Python host for %s: %v", s.dir, err)
		s.status(Status{State: "failed"})
	}
}

// attachLive attaches to the root's live interpreters, if any answers
// (foundLive).
func (s *Session) attachLive() bool {
	ins, _, err := s.cfg.Interpreters.Discover(s.dir, nil)
	if err != nil || len(ins) == 0 {
		return false
	}
	s.attachTo(ins, true)
	return true
}

// foundLive tells the user that the root's app runs elsewhere and, when
// that is a `pyreload run`, watches it to start the session's own host once
// it ends. Agents the user started are left to the user: their app comes
// back on its own (a pre-fork server's restart), and a host of ours running
// the entry meanwhile would fight it for its port.
func (s *Session) foundLive(ins []reload.Interpreter) {
	pids := make([]string, len(ins))
	for n, in := range ins {
		pids[n] = fmt.Sprint(in.Process().PID)
	}
	s.message(Info, "pyreload: %s already runs in pid %s (`pyreload run` or an agent): the editor reloads into it and starts no copy of the app of its own",
		s.dir, strings.Join(pids, ", "))
	if s.hasRun(ins) {
		s.goSafe("watch attached", func() { s.watchAttached(ins) })
	}
}

// hasRun reports whether one of ins is a `pyreload run` (ping's role).
func (s *Session) hasRun(ins []reload.Interpreter) bool {
	for _, in := range ins {
		var pong struct {
			Role string `json:"role"`
		}
		ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
		err := in.Call(ctx, "ping", nil, &pong)
		cancel()
		if err == nil && pong.Role == "run" {
			return true
		}
	}
	return false
}

// watchAttached starts the session's own host again once none of the
// interpreters it attached to answers (the run ended). It stops watching
// when the root was restarted or reattached meanwhile.
func (s *Session) watchAttached(ins []reload.Interpreter) {
	for {
		select {
		case <-time.After(time.Second):
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		current := s.attached
		s.mu.Unlock()
		if len(current) != len(ins) || len(ins) == 0 || current[0] != ins[0] {
			return
		}
		alive := false
		for _, in := range ins {
			ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
			err := in.Call(ctx, "ping", nil, nil)
			cancel()
			alive = alive || err == nil
		}
		if alive {
			continue
		}
		s.cfg.Log.Infof("%s: the interpreters it reloaded into ended", s.dir)
		s.closeAttached()
		s.cfg.Events.Cleared()
		s.refreshFleet()
		s.status(Status{State: "restarting"})
		s.message(Info, "pyreload: the app of %s that the editor reloaded into ended; the editor starts its own interpreter again", s.dir)
		s.Start()
		return
	}
}
