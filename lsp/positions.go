package lsp

import (
	"os"
	"strings"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// positions converts the engine's positions (1-based, columns in code
// points) to LSP's (0-based, characters in UTF-16 code units), reading each
// file's lines once: the editor's text when the file is open, else the file
// on disk. One publish uses one positions.
type positions struct {
	docs  *docStore
	files map[string][]string // nil: the file could not be read
}

func newPositions(docs *docStore) *positions {
	return &positions{docs: docs, files: map[string][]string{}}
}

// rng converts a 1-based code-point range of file (end exclusive, 0 for
// unknown) to an LSP range. Characters are clamped to their line's length;
// a position on a line the text does not have is left in code points.
func (p *positions) rng(file string, line, col, endLine, endCol int) protocol.Range {
	r := lspRange(line, col, endLine, endCol)
	r.Start.Character = p.utf16(file, r.Start.Line, r.Start.Character)
	r.End.Character = p.utf16(file, r.End.Line, r.End.Character)
	return r
}

func (p *positions) utf16(file string, line, char protocol.UInteger) protocol.UInteger {
	lines := p.lines(file)
	if int(line) >= len(lines) {
		return char
	}
	return protocol.UInteger(utf16Column(lines[line], int(char)))
}

func (p *positions) lines(file string) []string {
	if file == "" {
		return nil
	}
	if ls, ok := p.files[file]; ok {
		return ls
	}
	text, ok := p.docs.textFor(file)
	if !ok {
		if data, err := os.ReadFile(file); err == nil {
			text, ok = string(data), true
		}
	}
	var ls []string
	if ok {
		ls = splitLines(text)
	}
	p.files[file] = ls
	return ls
}

// splitLines splits text at LSP's line ends (\n, \r\n, \r).
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
}

// utf16Column converts a 0-based code-point column on line to UTF-16 code
// units, clamped to the line's length. An invalid byte counts as one code
// point (U+FFFD), as Python decodes it with errors="replace".
func utf16Column(line string, col int) int {
	units := 0
	for _, r := range line {
		if col <= 0 {
			break
		}
		col--
		if r >= 0x10000 && r <= utf8.MaxRune {
			units += 2
		} else {
			units++
		}
	}
	return units
}

// textFor returns the editor's text of an open document by canonical path.
func (d *docStore) textFor(path string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, x := range d.docs {
		if x.path == path {
			return x.text, true
		}
	}
	return "", false
}
