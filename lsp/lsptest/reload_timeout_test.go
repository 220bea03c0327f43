package lsptest_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
)

// TestReloadTimeoutFromTheEditor: the reload deadline (30 s in the engine)
// is the editor's reloadTimeoutMs setting: a re-import that spins is
// interrupted at 300 ms, rolled back, and the host stays usable.
func TestReloadTimeoutFromTheEditor(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	writeTree(t, root, map[string]string{
		"pyproject.toml":   "[tool.pyreload]\ndebounceMs = 10\nmode = \"evict\"\n",
		"spin/__init__.py": "X = 1\n",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t), Settings: map[string]any{"reloadTimeoutMs": 300}})
	e.AwaitReady(1)
	e.Save("spin/__init__.py", "while True:\n    pass\n")
	st := e.Await("the reload's report", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 1 })
	assert.Equal(t, false, st.Reports[0]["ok"])
	found := false
	for _, d := range st.Diagnostics["spin/__init__.py"] {
		found = found || d.Code == "reload-failed" && strings.Contains(d.Message, "300 ms")
	}
	assert.True(t, found, "a reload-failed diagnostic naming the 300 ms deadline: %s", fmt.Sprint(st.Diagnostics))
	e.Save("spin/__init__.py", "X = 2\n")
	st = e.Await("a reload after the rollback", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 2 })
	assert.Equal(t, true, st.Reports[1]["ok"], st.Reports[1]["summary"])
}
