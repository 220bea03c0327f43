package lsp

import (
	"context"
	"fmt"
	"strings"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/attach"
)

// One app per root. The server's own host runs the root's `entry` (so the
// app's objects are there to reload) or, without one, imports its packages.
// A terminal `pyreload run` of the same root takes over: the server attaches
// to the run's interpreter when it finds one at start, and a run that starts
// later asks the server's host to step aside (it exits with
// hostproto.ExitSteppedAside) and the server attaches to the run. When the
// run ends, the server starts its own host again. Never two copies of the
// app fight over a port.

// runWait bounds the wait for the run's interpreter after a step-aside.
const runWait = 30 * time.Second

// steppedAside handles the exit of a host that made way for a `pyreload
// run` of the root: reload into the run's interpreter once it answers, or,
// if none does, start the server's own host again.
func (r *root) steppedAside() {
	r.clearAll()
	r.mu.Lock()
	r.host = nil
	r.mu.Unlock()
	r.refreshFleet()
	r.announceState("restarting")
	r.s.log.Infof("%s: the host stepped aside for a pyreload run", r.dir)
	for deadline := time.Now().Add(runWait); time.Now().Before(deadline); {
		if r.s.ctx.Err() != nil {
			return
		}
		if r.attachLive() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("pyreload: no `pyreload run` of %s answered; starting the editor's own interpreter again", r.dir))
	if err := r.startHost(); err != nil {
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: could not start a Python host for %s: %v", r.dir, err))
		r.announceState("failed")
	}
}

// attachLive attaches the root to its live interpreters, if any answers
// (foundLive).
func (r *root) attachLive() bool {
	ins, _, err := attach.Interpreters(r.dir, nil)
	if err != nil || len(ins) == 0 {
		return false
	}
	r.mu.Lock()
	r.attached = ins
	r.mu.Unlock()
	r.foundLive(ins)
	r.afterStart(false)
	return true
}

// foundLive tells the user that the root's app runs elsewhere and, when
// that is a `pyreload run`, watches it to start the server's own host once
// it ends. Agents the user started are left to the user: their app comes
// back on its own (a pre-fork server's restart), and a host of ours running
// the entry meanwhile would fight it for its port.
func (r *root) foundLive(ins []reload.Interpreter) {
	r.announceAttached(ins)
	if r.hasRun(ins) {
		go r.watchAttached(ins)
	}
}

// hasRun reports whether one of ins is a `pyreload run` (ping's role).
func (r *root) hasRun(ins []reload.Interpreter) bool {
	for _, in := range ins {
		var pong struct {
			Role string `json:"role"`
		}
		ctx, cancel := context.WithTimeout(r.s.ctx, 2*time.Second)
		err := in.Call(ctx, "ping", nil, &pong)
		cancel()
		if err == nil && pong.Role == "run" {
			return true
		}
	}
	return false
}

// announceAttached tells the user that the root's app runs elsewhere.
func (r *root) announceAttached(ins []reload.Interpreter) {
	pids := make([]string, len(ins))
	for n, in := range ins {
		pids[n] = fmt.Sprint(in.Process().PID)
	}
	r.s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("pyreload: %s already runs in pid %s (`pyreload run` or an agent): the editor reloads into it and starts no copy of the app of its own",
		r.dir, strings.Join(pids, ", ")))
}

// watchAttached starts the server's own host again once none of the
// interpreters it attached to answers (the run ended). It stops watching
// when the root was restarted or reattached meanwhile.
func (r *root) watchAttached(ins []reload.Interpreter) {
	for {
		select {
		case <-time.After(time.Second):
		case <-r.s.ctx.Done():
			return
		}
		r.mu.Lock()
		current := r.attached
		r.mu.Unlock()
		if len(current) != len(ins) || len(ins) == 0 || current[0] != ins[0] {
			return
		}
		alive := false
		for _, in := range ins {
			ctx, cancel := context.WithTimeout(r.s.ctx, 2*time.Second)
			err := in.Call(ctx, "ping", nil, nil)
			cancel()
			alive = alive || err == nil
		}
		if alive {
			continue
		}
		r.s.log.Infof("%s: the interpreters it reloaded into ended", r.dir)
		r.closeAttached()
		r.clearAll()
		r.refreshFleet()
		r.announceState("restarting")
		r.s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("pyreload: the app of %s that the editor reloaded into ended; the editor starts its own interpreter again", r.dir))
		r.start()
		return
	}
}
