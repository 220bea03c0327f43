package lsp

import (
	"encoding/json"
	"fmt"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

// codeActionParams is decoded by hand so the client's diagnostics are
// echoed back intact (glsp v0.2.2 drops their codes).
type codeActionParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Context      struct {
		Diagnostics []json.RawMessage `json:"diagnostics"`
		Only        []string          `json:"only"`
	} `json:"context"`
}

// clientDiagnostic is what a quick fix needs of a diagnostic: the
// engine's record it was published with (nil when the client dropped it).
type clientDiagnostic struct {
	Source string              `json:"source"`
	Data   *reload.FindingData `json:"data"`
}

// action is protocol.CodeAction with raw diagnostics.
type action struct {
	Title       string            `json:"title"`
	Kind        string            `json:"kind"`
	Diagnostics []json.RawMessage `json:"diagnostics,omitempty"`
	IsPreferred bool              `json:"isPreferred,omitempty"`
	Command     *protocol.Command `json:"command,omitempty"`
}

// fixCommands maps the engine's fix kinds to commands and titles; a title
// formats (name, holder, target, package) with explicit indexes.
var fixCommands = map[string]struct{ cmd, title string }{
	reload.FixRebind:     {CmdRebind, "Rebind `%[1]s` in %[2]s to the new definition"},
	reload.FixPatch:      {CmdPatchInPlace, "Patch old `%[3]s` in place so every reference runs the new code"},
	reload.FixDependents: {CmdReloadDependents, "Reload %[2]s, which depends on `%[4]s`"},
}

// codeAction offers "Deep reload package" (in place: what changed) and
// "Deep reload whole package" (every module again), the quick fixes of the pyreload
// diagnostics in context, and "Fix all". It never calls an interpreter.
func codeAction(s *Server, p *codeActionParams) (any, error) {
	out := []action{}
	path := reload.Canonical(uriToPath(p.TextDocument.URI))
	r := s.rootOf(path)
	if r == nil {
		return out, nil
	}
	want := func(kind string) bool {
		if len(p.Context.Only) == 0 {
			return true
		}
		for _, o := range p.Context.Only {
			if kind == o || strings.HasPrefix(kind, o+".") {
				return true
			}
		}
		return false
	}
	uri := p.TextDocument.URI
	if want(KindQuickFix) {
		for _, raw := range p.Context.Diagnostics {
			var d clientDiagnostic
			if json.Unmarshal(raw, &d) != nil || d.Source != "pyreload" && d.Source != "" {
				continue
			}
			if d.Data == nil { // a client that drops data (ALE): the server remembers it
				data, ok := r.diags.remembered(path, raw)
				if !ok {
					continue
				}
				d.Data = &data
			}
			out = append(out, quickFixes(uri, raw, *d.Data)...)
		}
	}
	if want(KindFixAll) {
		for _, pkg := range r.diags.packagesIn(path) {
			out = append(out, action{
				Title: fmt.Sprintf("Fix all stale references to `%s`", pkg), Kind: KindFixAll,
				Command: &protocol.Command{Title: "Fix all", Command: CmdFixAll,
					Arguments: []any{map[string]any{"package": pkg, "uri": uri}}},
			})
		}
	}
	if pkg, ok := r.sess.PackageOf(path); ok && want(KindDeepReload) && !r.sess.Settings().Excluded(pkg) {
		out = append(out, action{
			Title: fmt.Sprintf("Deep reload package `%s`", pkg), Kind: KindDeepReload,
			Command: &protocol.Command{Title: "Deep reload", Command: CmdDeepReload,
				Arguments: []any{map[string]any{"uri": uri}}},
		}, action{
			Title: fmt.Sprintf("Deep reload whole package `%s`", pkg), Kind: KindDeepReload,
			Command: &protocol.Command{Title: "Deep reload whole package", Command: CmdDeepReload,
				Arguments: []any{map[string]any{"uri": uri, "all": true}}},
		})
	}
	return out, nil
}

// quickFixes are the fixes a stale diagnostic's data offers; each sends the
// data back as the fix's one target.
func quickFixes(uri string, raw json.RawMessage, data reload.FindingData) []action {
	if data.Code == "" || data.Code == reload.CodeReloadFailed || data.Package == "" {
		return nil
	}
	var out []action
	for n, kind := range data.Fixes {
		fc, ok := fixCommands[kind]
		if !ok {
			continue
		}
		title := fmt.Sprintf(fc.title, data.Name, data.Holder, data.Target, data.Package)
		out = append(out, action{
			Title:       title,
			Kind:        KindQuickFix,
			Diagnostics: []json.RawMessage{raw},
			IsPreferred: n == 0,
			Command: &protocol.Command{Title: title, Command: fc.cmd, Arguments: []any{map[string]any{
				"package": data.Package, "uri": uri, "targets": []reload.FindingData{data},
			}}},
		})
	}
	return out
}
