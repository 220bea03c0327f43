package lsptest

import (
	"unicode/utf8"
)

// rangeChange is the incremental didChange content change that turns old
// into text: the range between their common prefix and common suffix, in
// LSP positions (UTF-16 characters), and what goes there.
func rangeChange(old, text string) map[string]any {
	prefix := 0
	for prefix < len(old) && prefix < len(text) && old[prefix] == text[prefix] {
		prefix++
	}
	prefix = backToBoundary(old, prefix)
	suffix := 0
	for suffix < len(old)-prefix && suffix < len(text)-prefix &&
		old[len(old)-1-suffix] == text[len(text)-1-suffix] {
		suffix++
	}
	for suffix > 0 && backToBoundary(old, len(old)-suffix) != len(old)-suffix {
		suffix--
	}
	return map[string]any{
		"range": map[string]any{"start": position(old, prefix), "end": position(old, len(old)-suffix)},
		"text":  text[prefix : len(text)-suffix],
	}
}

// backToBoundary moves offset back to the start of its character, and off
// the middle of a "\r\n".
func backToBoundary(s string, offset int) int {
	for offset > 0 && offset < len(s) && !utf8.RuneStart(s[offset]) {
		offset--
	}
	if offset > 0 && offset < len(s) && s[offset-1] == '\r' && s[offset] == '\n' {
		offset--
	}
	return offset
}

// position is the LSP position of a byte offset of s.
func position(s string, offset int) map[string]any {
	line, char := 0, 0
	for i := 0; i < offset; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			line, char, size = line+1, 0, 2
		case r == '\n' || r == '\r':
			line, char = line+1, 0
		case r >= 0x10000:
			char += 2
		default:
			char++
		}
		i += size
	}
	return map[string]any{"line": line, "character": char}
}
