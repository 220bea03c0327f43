package lsp

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

// startupKey is the diagnostics key of startup failures.
const startupKey = "<startup>"

// DocsURL is where each diagnostic code is explained (README anchors).
const DocsURL = "https://github.com/pyreload/pyreload#"

// diagSet holds a root's diagnostics per source (a package's last report,
// or startup) and publishes the union per file.
type diagSet struct {
	s    *Server
	home func(pkg string) string // where unlocated findings go (session.HomeFile)

	mu        sync.Mutex // mu guards the maps and orders publishing.
	byKey     map[string]map[string][]protocol.Diagnostic
	published map[string]bool // paths that have diagnostics in the editor
}

func newDiagSet(s *Server) *diagSet {
	return &diagSet{s: s, byKey: map[string]map[string][]protocol.Diagnostic{}, published: map[string]bool{}}
}

// replace sets the diagnostics of a package from its latest report. A
// rolled-back reload keeps the stale references seen before (the old code
// still runs) and adds the failure; unlocated findings are placed by
// placeUnlocated.
func (d *diagSet) replace(pkg string, rep reload.Report, trigger string) {
	files := d.fromReport(pkg, rep, trigger)
	if !rep.OK && len(rep.Stale) == 0 {
		d.mu.Lock()
		for file, ds := range d.byKey[pkg] {
			for _, x := range ds {
				if x.Severity != nil && *x.Severity == protocol.DiagnosticSeverityWarning {
					files[file] = append(files[file], x)
				}
			}
		}
		d.mu.Unlock()
	}
	d.set(pkg, files)
}

// fromReport converts a report to diagnostics per file.
func (d *diagSet) fromReport(pkg string, rep reload.Report, trigger string) map[string][]protocol.Diagnostic {
	files := map[string][]protocol.Diagnostic{}
	pos := newPositions(d.s.docs)
	home := ""
	if d.home != nil {
		home = d.home(pkg)
	}
	for _, fd := range reload.ByFile(rep) {
		for _, it := range fd.Items {
			file := fd.File
			if file == "" || it.Line <= 0 {
				file, it = placeUnlocated(it, home, trigger)
			}
			if file == "" {
				d.s.log.Warningf("%s: nowhere to show %s: %s", pkg, it.Code, it.Message)
				continue
			}
			files[file] = append(files[file], toDiagnostic(d.s, pos, file, it))
		}
	}
	return files
}

// set replaces one key's diagnostics and publishes every affected file:
// files that had diagnostics and have none now are cleared.
func (d *diagSet) set(key string, files map[string][]protocol.Diagnostic) {
	d.mu.Lock()
	defer d.mu.Unlock()
	affected := map[string]bool{}
	for f := range d.byKey[key] {
		affected[f] = true
	}
	for f := range files {
		affected[f] = true
	}
	if len(files) == 0 {
		delete(d.byKey, key)
	} else {
		d.byKey[key] = files
	}
	paths := make([]string, 0, len(affected))
	for f := range affected {
		paths = append(paths, f)
	}
	sort.Strings(paths)
	for _, f := range paths {
		all := []protocol.Diagnostic{}
		for _, byFile := range d.byKey {
			all = append(all, byFile[f]...)
		}
		if len(all) == 0 && !d.published[f] {
			continue
		}
		d.published[f] = len(all) > 0
		uri, ok := d.s.docs.uriFor(f)
		if !ok {
			uri = pathToURI(f)
		}
		d.s.notify("textDocument/publishDiagnostics", protocol.PublishDiagnosticsParams{URI: uri, Diagnostics: all})
	}
}

// clearAll clears every diagnostic of the root (its interpreters are gone).
func (d *diagSet) clearAll() {
	d.mu.Lock()
	keys := make([]string, 0, len(d.byKey))
	for k := range d.byKey {
		keys = append(keys, k)
	}
	d.mu.Unlock()
	for _, k := range keys {
		d.set(k, nil)
	}
}

// packagesIn lists the packages whose diagnostics are on a file.
func (d *diagSet) packagesIn(path string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k, byFile := range d.byKey {
		if k != startupKey && len(byFile[path]) > 0 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// clearAll clears the root's diagnostics and forgets the startup message
// shown (its interpreters are gone).
func (r *root) clearAll() {
	r.mu.Lock()
	r.lastStartup = ""
	r.mu.Unlock()
	r.diags.clearAll()
}

// toDiagnostic converts an engine item of file (1-based, code points) to
// LSP (0-based, UTF-16).
func toDiagnostic(s *Server, pos *positions, file string, it reload.Item) protocol.Diagnostic {
	sev := protocol.DiagnosticSeverityWarning
	if it.Severity == reload.SeverityError {
		sev = protocol.DiagnosticSeverityError
	}
	source := "pyreload"
	msg := it.Message
	if len(it.Processes) > 0 {
		var who []string
		for _, p := range it.Processes {
			who = append(who, fmt.Sprintf("pid %d (%s)", p.PID, p.Kind))
		}
		msg += " — only in " + strings.Join(who, ", ")
	}
	// The engine's record, as reload.ByFile finished it; fixes is a list
	// in every diagnostic's data.
	data := it.Data
	if data.Fixes == nil {
		data.Fixes = []string{}
	}
	x := protocol.Diagnostic{
		Range:           pos.rng(file, it.Line, it.Column, it.EndLine, it.EndColumn),
		Severity:        &sev,
		Code:            &protocol.IntegerOrString{Value: it.Code},
		CodeDescription: &protocol.CodeDescription{HRef: DocsURL + it.Code},
		Source:          &source,
		Message:         msg,
		Data:            data,
	}
	if it.Related != nil && it.Related.File != "" {
		uri, ok := s.docs.uriFor(it.Related.File)
		if !ok {
			uri = pathToURI(it.Related.File)
		}
		x.RelatedInformation = []protocol.DiagnosticRelatedInformation{{
			Location: protocol.Location{URI: uri, Range: pos.rng(it.Related.File, it.Related.Line, it.Related.Column, 0, 0)},
			Message:  "new definition",
		}}
	}
	return x
}

// lspRange converts a 1-based range (end exclusive; 0 for unknown) to LSP.
func lspRange(line, col, endLine, endCol int) protocol.Range {
	line, col, endLine, endCol = reload.NormalRange(max(line, 1), col, endLine, endCol)
	l, c, el, ec := line-1, col-1, endLine-1, endCol-1
	return protocol.Range{
		Start: protocol.Position{Line: protocol.UInteger(l), Character: protocol.UInteger(c)},
		End:   protocol.Position{Line: protocol.UInteger(el), Character: protocol.UInteger(ec)},
	}
}

// publishStartup shows what failed while the interpreter started: imports
// that raised and an entry that failed, as Error diagnostics and a message.
func (r *root) publishStartup(failures []reload.Failure, entry *reload.Failure) {
	files := map[string][]protocol.Diagnostic{}
	pos := newPositions(r.s.docs)
	var lines []string
	add := func(what string, f reload.Failure) {
		msg := fmt.Sprintf("%s: %s: %s", what, f.Type, f.Message)
		lines = append(lines, msg)
		if f.File == "" {
			return
		}
		it := reload.Item{Code: reload.CodeReloadFailed, Severity: reload.SeverityError, Message: msg,
			Line: f.Line, Column: f.Column, Data: reload.FindingData{Code: reload.CodeReloadFailed, Package: startupKey}}
		files[f.File] = append(files[f.File], toDiagnostic(r.s, pos, f.File, it))
	}
	for _, f := range failures {
		add("import failed at startup", f)
	}
	if entry != nil {
		add(fmt.Sprintf("the entry `%s` failed", r.sess.Settings().Entry), *entry)
	}
	r.diags.set(startupKey, files)
	shown := strings.Join(lines, "; ")
	r.mu.Lock()
	repeat := shown == r.lastStartup
	r.lastStartup = shown
	r.mu.Unlock()
	if len(lines) > 0 && !repeat {
		r.s.showMessage(protocol.MessageTypeError, "pyreload: "+strings.Join(lines, "; "))
	}
}
