package lsp

import (
	"errors"
	"fmt"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/session"
)

// A root is its session's owner: what the session does becomes
// diagnostics, notifications and messages here, and the session asks the
// root for settings and unsaved files.

var (
	_ session.Events    = (*root)(nil)
	_ session.Workspace = (*root)(nil)
)

// Reported publishes a reload's or fix's findings and announces it.
func (r *root) Reported(d session.Done) {
	rep := d.Last()
	r.diags.replace(d.Package, rep, d.Trigger)
	r.s.announce(rep)
}

// Failed tells the user of a reload that could not run; the other
// failures answer the command that asked, or are only logged.
func (r *root) Failed(pkg string, err error) {
	var failed *session.ReloadError
	switch {
	case errors.Is(err, session.ErrNoInterpreter):
		r.s.showMessage(protocol.MessageTypeWarning, "pyreload: "+err.Error())
	case errors.As(err, &failed):
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: reload of %s failed: %v", pkg, err))
	}
}

// Status sends pyreload/status: the root's interpreters are "ready",
// "restarting" or "failed" (editor status bars and tests wait on it).
func (r *root) Status(st session.Status) {
	msg := map[string]any{"root": pathToURI(r.dir), "state": st.State, "pids": st.PIDs}
	if st.State == "ready" {
		msg["interpreters"] = st.Interpreters
	}
	if st.Reason != "" {
		msg["reason"] = st.Reason
	}
	if st.File != "" {
		msg["file"] = pathToURI(st.File)
	}
	r.s.notify("pyreload/status", msg)
}

// levels maps session message levels to LSP's.
var levels = map[session.Level]protocol.MessageType{
	session.Info: protocol.MessageTypeInfo, session.Warning: protocol.MessageTypeWarning, session.Error: protocol.MessageTypeError,
}

// Message shows one line.
func (r *root) Message(level session.Level, text string) { r.s.showMessage(levels[level], text) }

// Progress shows long work with the server's own token.
func (r *root) Progress(title string) func(string) { return r.s.progress(title) }

// Startup publishes what failed while the interpreter started.
func (r *root) Startup(failures []reload.Failure, entry *reload.Failure) {
	r.publishStartup(failures, entry)
}

// Cleared clears the root's diagnostics (its interpreters are gone).
func (r *root) Cleared() { r.clearAll() }

// Settings reads the settings afresh and tells the user about mistakes.
func (r *root) Settings() config.Settings {
	st, errs := r.loadSettings()
	for _, err := range errs {
		r.s.showMessage(protocol.MessageTypeWarning, "pyreload settings: "+err.Error())
	}
	return st
}

// Unsaved reports whether an open document at or under path is dirty.
func (r *root) Unsaved(path string) bool { return r.s.docs.dirtyUnder(path) }
