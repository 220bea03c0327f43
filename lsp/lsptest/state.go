package lsptest

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// State is a snapshot of what the server published.
type State struct {
	Diagnostics map[string][]Diagnostic
	Messages    []Message
	Logs        []string
	Reports     []map[string]any
	Progress    []map[string]any
	Statuses    []map[string]any // pyreload/status notifications
}

// Await waits until cond holds for the published state, failing the test
// with the last state after timeout.
func (e *Editor) Await(what string, timeout time.Duration, cond func(State) bool) State {
	e.t.Helper()
	deadline := time.After(timeout)
	for {
		e.mu.Lock()
		st := e.snapshot()
		ch := e.changed
		e.mu.Unlock()
		if cond(st) {
			return st
		}
		select {
		case <-ch:
		case <-deadline:
			e.t.Fatalf("timed out after %s waiting for %s; state:\n%s", timeout, what, Describe(st))
		case <-e.done:
			e.t.Fatalf("server exited (code %d) while waiting for %s; state:\n%s", e.code, what, Describe(st))
		}
	}
}

// Snapshot returns the current state.
func (e *Editor) Snapshot() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snapshot()
}

func (e *Editor) snapshot() State {
	st := State{Diagnostics: map[string][]Diagnostic{}}
	for k, v := range e.diags {
		if len(v) > 0 {
			st.Diagnostics[k] = append([]Diagnostic(nil), v...)
		}
	}
	st.Messages = append(st.Messages, e.messages...)
	st.Logs = append(st.Logs, e.logs...)
	st.Reports = append(st.Reports, e.reports...)
	st.Progress = append(st.Progress, e.progress...)
	st.Statuses = append(st.Statuses, e.statuses...)
	return st
}

// Lines renders every diagnostic as `file:line:col: severity [code]`
// (1-based, like the scenario files), sorted.
func (st State) Lines() []string {
	out := []string{}
	for file, ds := range st.Diagnostics {
		for _, d := range ds {
			sev := map[int]string{1: "error", 2: "warning", 3: "info", 4: "hint"}[d.Severity]
			out = append(out, fmt.Sprintf("%s:%d:%d: %s [%s]", file, d.Range.Start.Line+1, d.Range.Start.Character+1, sev, d.Code))
		}
	}
	sort.Strings(out)
	return out
}

// Describe renders a state for failure messages.
func Describe(st State) string {
	var b strings.Builder
	for _, l := range st.Lines() {
		fmt.Fprintf(&b, "  diag %s\n", l)
	}
	for _, m := range st.Messages {
		fmt.Fprintf(&b, "  message(%d) %s\n", m.Type, m.Message)
	}
	for _, r := range st.Reports {
		fmt.Fprintf(&b, "  report %v\n", r["summary"])
	}
	return b.String()
}
