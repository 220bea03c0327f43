package lsp

import (
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

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
