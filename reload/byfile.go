package reload

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Severities of located items.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Item is one editor-ready finding, with 1-based positions as the engine
// reports them (an LSP client converts to 0-based).
type Item struct {
	Code      string
	Severity  string
	Message   string
	Line      int
	Column    int
	EndLine   int
	EndColumn int
	Related   *Location   // the new definition, when one exists
	Data      FindingData // what a quick fix sends back (always has Code and Package)
	Fixes     []string
	Processes []Process
}

// FileDiagnostic groups the items of one file. File is "" for references
// that could not be located; they are still reported.
type FileDiagnostic struct {
	File  string
	Items []Item
}

// ByFile turns a report into items grouped per file, files in order (what
// editors and the CLI show; "locate" is the engine's word for finding a
// definition in source).
func ByFile(r Report) []FileDiagnostic {
	byFile := map[string][]Item{}
	if r.Error != nil {
		verb := "was refused"
		if r.RolledBack {
			verb = "failed and was rolled back"
		}
		what := "reload"
		if r.Package != "" {
			what = "reload of `" + r.Package + "`"
		}
		line, col, endLine, endCol := position(r.Error.File, r.Error.Line, r.Error.Column, 0, 0)
		byFile[r.Error.File] = append(byFile[r.Error.File], Item{
			Code: CodeReloadFailed, Severity: SeverityError,
			Message: fmt.Sprintf("%s %s: %s: %s", what, verb, r.Error.Type, r.Error.Message),
			Line:    line, Column: col, EndLine: endLine, EndColumn: endCol,
			Data: FindingData{Code: CodeReloadFailed, Package: r.Package},
		})
	}
	for _, s := range r.Stale {
		line, col, endLine, endCol := position(s.File, s.Line, s.Column, s.EndLine, s.EndColumn)
		data := s.Data
		// The engine finishes the record; what an older engine left out
		// (an agent loaded before an upgrade) is filled in here.
		if data.Code == "" {
			data.Code = s.Code
		}
		if data.Package == "" {
			data.Package = r.Package
		}
		if data.Fixes == nil {
			data.Fixes = append([]string{}, s.Fixes...)
		}
		byFile[s.File] = append(byFile[s.File], Item{
			Code: s.Code, Severity: SeverityWarning, Message: s.Message,
			Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
			Related: s.New, Data: data, Fixes: s.Fixes, Processes: s.Processes,
		})
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	out := make([]FileDiagnostic, 0, len(files))
	for _, f := range files {
		out = append(out, FileDiagnostic{File: f, Items: byFile[f]})
	}
	return out
}

// position normalises a 1-based range: unlocated (no file or line) stays
// 0:0; a located one is NormalRange's.
func position(file string, line, col, endLine, endCol int) (int, int, int, int) {
	if file == "" || line <= 0 {
		return 0, 0, 0, 0
	}
	return NormalRange(line, col, endLine, endCol)
}

// NormalRange is the one rule for a located 1-based range (end exclusive):
// a column of at least 1, and an end after the start, else the one
// character at the start. The language server applies it too.
func NormalRange(line, col, endLine, endCol int) (int, int, int, int) {
	col = max(col, 1)
	if endLine < line || endLine == line && endCol <= col {
		endLine, endCol = line, col+1
	}
	return line, col, endLine, endCol
}

// FormatLine renders an item as `path:line:col: severity: message [code]`,
// the form editors' quickfix lists parse; paths are relative to root.
func FormatLine(root, file string, it Item) string {
	path := file
	if path == "" || it.Line == 0 {
		path = "-"
	} else if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	msg := it.Message
	if len(it.Processes) > 0 {
		pids := make([]string, len(it.Processes))
		for n, p := range it.Processes {
			pids[n] = fmt.Sprint(p.PID)
		}
		msg += " (only in pid " + strings.Join(pids, ", ") + ")"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", path, it.Line, it.Column, it.Severity, msg, it.Code)
}
