package lsp

import (
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// applyChange returns text with the range r (LSP positions: 0-based lines,
// characters in UTF-16 code units) replaced by newText. As the protocol
// says, a character past the end of its line means the line's end, and a
// line past the end of the text means the text's end.
func applyChange(text string, r protocol.Range, newText string) string {
	start := byteOffset(text, r.Start)
	end := byteOffset(text, r.End)
	if end < start {
		start, end = end, start
	}
	return text[:start] + newText + text[end:]
}

// byteOffset is the byte offset of an LSP position in text.
func byteOffset(text string, pos protocol.Position) int {
	i := 0
	for line := protocol.UInteger(0); line < pos.Line; line++ {
		next := lineEnd(text, i)
		if next == len(text) {
			return len(text)
		}
		i = next + lineBreakLen(text, next)
	}
	units := protocol.UInteger(0)
	for i < len(text) && units < pos.Character {
		c, size := utf8.DecodeRuneInString(text[i:])
		if c == '\n' || c == '\r' {
			break
		}
		if c >= 0x10000 {
			units += 2
		} else {
			units++
		}
		if units > pos.Character { // inside a surrogate pair: keep the pair whole
			break
		}
		i += size
	}
	return i
}

// lineEnd is the offset of the first line break at or after i, or len(text).
func lineEnd(text string, i int) int {
	for ; i < len(text); i++ {
		if text[i] == '\n' || text[i] == '\r' {
			return i
		}
	}
	return len(text)
}

// lineBreakLen is the length of the line break at i (\r\n counts as one).
func lineBreakLen(text string, i int) int {
	if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
		return 2
	}
	return 1
}
