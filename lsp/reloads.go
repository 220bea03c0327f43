package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

// callTimeout bounds one reload, scan or fix in every interpreter.
const callTimeout = 2 * time.Minute

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// errUnchanged means a save left every file of the package as it was at the
// last reload: nothing to do.
var errUnchanged = errors.New("no file of the package changed since the last reload")

// runReload reloads one package in every interpreter and publishes the
// result. Without force it does nothing for a package that is not loaded
// or whose files are as they were at its last reload.
func (r *root) runReload(j *job) jobResult {
	if r.rerunEntry(j.file) {
		return jobResult{}
	}
	hash := r.packageHash(j.pkg)
	r.mu.Lock()
	prev, had := r.hashes[j.pkg]
	loaded := r.loaded[j.pkg]
	r.mu.Unlock()
	if !j.force && had && prev == hash {
		r.s.log.Debugf("%s: %s unchanged since its last reload", r.dir, j.pkg)
		return jobResult{err: errUnchanged}
	}
	if !loaded {
		r.refreshLoaded()
		r.mu.Lock()
		loaded = r.loaded[j.pkg]
		r.mu.Unlock()
	}
	if !loaded {
		if res, tried := r.importLate(j.pkg, hash); tried {
			return res
		}
		if !j.force {
			r.s.log.Infof("%s: %s is not loaded in any interpreter; not reloading", r.dir, j.pkg)
			return jobResult{err: fmt.Errorf("package %s is not loaded in any interpreter", j.pkg)}
		}
	}
	r.mu.Lock()
	fleet, mode, timeoutMS, hooks := r.fleet, r.settings.Mode, r.settings.ReloadTimeoutMS, r.settings.Hooks
	r.mu.Unlock()
	if fleet == nil || fleet.Len() == 0 {
		err := fmt.Errorf("no Python interpreter is running for %s", r.dir)
		r.s.showMessage(protocol.MessageTypeWarning, "pyreload: "+err.Error())
		return jobResult{err: err}
	}
	end := r.s.progress("Reloading " + j.pkg)
	ctx, cancel := context.WithTimeout(r.s.ctx, max(callTimeout, time.Duration(timeoutMS)*time.Millisecond+time.Minute))
	rep, err := fleet.Reload(ctx, reload.ReloadParams{Package: j.pkg, Mode: mode, TimeoutMS: timeoutMS, All: j.all, Hooks: hooks})
	cancel()
	r.afterFleetCall(rep, err)
	r.mu.Lock()
	r.hashes[j.pkg] = hash
	r.mu.Unlock()
	if err != nil {
		end("failed")
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: reload of %s failed: %v", j.pkg, err))
		return jobResult{err: err}
	}
	r.diags.replace(j.pkg, rep, j.file)
	end(reload.Summary(rep))
	r.s.announce(rep)
	r.mu.Lock()
	r.loaded[j.pkg] = true
	r.mu.Unlock()
	return jobResult{report: &rep}
}

// runFix applies fixes in every interpreter and republishes from the
// rescanned report that comes back.
func (r *root) runFix(j *job) jobResult {
	r.mu.Lock()
	fleet := r.fleet
	r.mu.Unlock()
	if fleet == nil || fleet.Len() == 0 {
		return jobResult{err: fmt.Errorf("no Python interpreter is running for %s", r.dir)}
	}
	end := r.s.progress("Fixing stale references to " + j.fix.Package)
	ctx, cancel := context.WithTimeout(r.s.ctx, callTimeout)
	rep, err := fleet.Fix(ctx, j.fix)
	cancel()
	r.afterFleetCall(rep, err)
	if err != nil {
		end("failed")
		return jobResult{err: err}
	}
	if rep.Package == "" {
		rep.Package = j.fix.Package
	}
	r.diags.replace(j.fix.Package, rep, "")
	end(reload.Summary(rep))
	r.s.announce(rep)
	return jobResult{report: &rep}
}

// afterFleetCall notices attached interpreters that stopped answering (an
// app that exited): the root's interpreters are discovered again, and with
// none left the root starts its own host.
func (r *root) afterFleetCall(rep reload.Report, err error) {
	r.mu.Lock()
	attached := len(r.attached) > 0
	r.mu.Unlock()
	if !attached || err == nil && len(rep.Errors) == 0 {
		return
	}
	r.s.log.Warningf("%s: an attached interpreter did not answer; discovering again", r.dir)
	r.closeAttached()
	r.start()
}

// announce tells the user about a report: one line, the full report in the
// log, and the pyreload/report notification the editor clients use.
func (s *Server) announce(rep reload.Report) {
	summary := reload.Summary(rep)
	typ := protocol.MessageTypeInfo
	switch {
	case !rep.OK:
		typ = protocol.MessageTypeError
	case len(rep.Stale) > 0:
		typ = protocol.MessageTypeWarning
	}
	s.showMessage(typ, summary)
	full, _ := json.MarshalIndent(rep, "", "  ")
	s.notify("window/logMessage", protocol.LogMessageParams{Type: protocol.MessageTypeLog, Message: summary + "\n" + string(full)})
	s.notify("pyreload/report", reportNotice(rep))
}

// reportNotice is the body of the pyreload/report notification.
func reportNotice(rep reload.Report) map[string]any {
	return map[string]any{
		"action": rep.Action, "package": rep.Package, "ok": rep.OK, "modules": len(rep.Modules),
		"duration_ms": rep.DurationMS, "stale": len(rep.Stale), "summary": reload.Summary(rep),
		"fixes": len(rep.Fixes), "mode": rep.Mode, "unchanged": rep.Unchanged,
		"kept": len(rep.Kept), "reset": len(rep.Reset), "process": rep.Process,
	}
}

func (s *Server) showMessage(typ protocol.MessageType, msg string) {
	s.notify("window/showMessage", protocol.ShowMessageParams{Type: typ, Message: msg})
}
