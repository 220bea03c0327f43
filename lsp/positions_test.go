package lsp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	protocol "github.com/tliron/glsp/protocol_3_16"
)

func TestUTF16Column(t *testing.T) {
	for _, c := range []struct {
		line      string
		col, want int
	}{
		{"from a import b", 5, 5},    // ASCII
		{"é = 1; import x", 7, 7},    // 2-byte UTF-8, one UTF-16 unit
		{"名前 = 1; import x", 8, 8},   // 3-byte UTF-8, one unit each
		{`x = "🎉"; import y`, 9, 10}, // 4-byte UTF-8: a surrogate pair
		{`s = "🎉🎉"; y`, 6, 7},        // inside: after the first emoji
		{"\t\timport x", 2, 2},       // a tab is one unit
		{"abc", 10, 3},               // past the end: clamped
		{`"🎉"`, 10, 4},               // clamped to the UTF-16 length
		{"", 3, 0},                   // empty line
		{"abc", 0, 0},                // start of line
		{"a\xffb", 2, 2},             // an invalid byte is one code point
	} {
		assert.Equal(t, c.want, utf16Column(c.line, c.col), "%q col %d", c.line, c.col)
	}
}

func TestSplitLines(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "c", ""}, splitLines("a\r\nb\rc\n"))
}

func TestPositionsPreferOpenText(t *testing.T) {
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.py")
	open := filepath.Join(dir, "open.py")
	require.NoError(t, os.WriteFile(disk, []byte("a = 1\nx = \"🎉\"; from shop.core import hello\n"), 0o644))
	require.NoError(t, os.WriteFile(open, []byte("plain ascii line here\n"), 0o644))
	docs := newDocStore()
	docs.docs["file://open"] = &doc{uri: "file://open", path: open, text: "🎉🎉 = 1\n"}
	pos := newPositions(docs)

	// From disk: `from` is code point 10 (1-based), UTF-16 unit 10 (0-based).
	r := pos.rng(disk, 2, 10, 2, 37)
	assert.Equal(t, protocol.Position{Line: 1, Character: 10}, r.Start)
	assert.Equal(t, protocol.Position{Line: 1, Character: 37}, r.End)
	// From the editor's text, not the disk: both emoji are pairs.
	r = pos.rng(open, 1, 3, 1, 4)
	assert.Equal(t, protocol.Position{Line: 0, Character: 4}, r.Start)
	assert.Equal(t, protocol.Position{Line: 0, Character: 5}, r.End)
	// An unknown position is 0:0 and spans the first character, whole.
	r = pos.rng(open, 0, 0, 0, 0)
	assert.Equal(t, protocol.Position{Line: 0, Character: 0}, r.Start)
	assert.Equal(t, protocol.Position{Line: 0, Character: 2}, r.End)
	// A line the text lacks, and a file that cannot be read, pass through.
	r = pos.rng(open, 9, 4, 0, 0)
	assert.Equal(t, protocol.Position{Line: 8, Character: 3}, r.Start)
	r = pos.rng(filepath.Join(dir, "gone.py"), 2, 4, 2, 6)
	assert.Equal(t, protocol.Range{Start: protocol.Position{Line: 1, Character: 3}, End: protocol.Position{Line: 1, Character: 5}}, r)
	// An empty file: clamped to a 0-length range at 0:0.
	empty := filepath.Join(dir, "empty.py")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	r = pos.rng(empty, 1, 1, 0, 0)
	assert.Equal(t, protocol.Range{}, r)
}
