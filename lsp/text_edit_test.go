package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	protocol "github.com/tliron/glsp/protocol_3_16"
)

func span(l1, c1, l2, c2 int) protocol.Range {
	return protocol.Range{
		Start: protocol.Position{Line: protocol.UInteger(l1), Character: protocol.UInteger(c1)},
		End:   protocol.Position{Line: protocol.UInteger(l2), Character: protocol.UInteger(c2)},
	}
}

func TestApplyChange(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		r          protocol.Range
		insert     string
		want       string
	}{
		{"insert", "def f():\n    return 1\n", span(1, 11, 1, 12), "2", "def f():\n    return 2\n"},
		{"insert at start", "x = 1\n", span(0, 0, 0, 0), "# hi\n", "# hi\nx = 1\n"},
		{"delete across lines", "a\nb\nc\n", span(0, 1, 2, 0), "", "ac\n"},
		{"crlf counts as one break", "a\r\nb\r\nc", span(1, 0, 1, 1), "B", "a\r\nB\r\nc"},
		{"lone cr", "a\rb\rc", span(2, 0, 2, 1), "C", "a\rb\rC"},
		{"utf-16 columns", "s = \"é🙂x\"\n", span(0, 8, 0, 9), "y", "s = \"é🙂y\"\n"},
		{"inside a surrogate pair keeps it", "🙂x", span(0, 1, 0, 1), "!", "!🙂x"},
		{"past the line end is the line end", "ab\ncd\n", span(0, 99, 0, 99), "!", "ab!\ncd\n"},
		{"past the text end is the text end", "ab", span(5, 0, 9, 0), "\nc", "ab\nc"},
		{"reversed range", "abc", span(0, 2, 0, 1), "", "ac"},
		{"empty text", "", span(0, 0, 0, 0), "x", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, applyChange(tc.text, tc.r, tc.insert))
		})
	}
}
