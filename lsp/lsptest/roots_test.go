package lsptest_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestRootIsFoundAboveTheClientsFolder: a client with no notion of a
// project (eglot without .git) names the saved file's own folder; the
// server walks up to the pyproject.toml and serves that root, so saving
// reloads the package instead of silently doing nothing.
func TestRootIsFoundAboveTheClientsFolder(t *testing.T) {
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":   "[tool.pyreload]\ndebounceMs = 10\n",
		"shop/__init__.py": "from . import core\n",
		"shop/core.py":     "def hello():\n    return 1\n",
	})
	e := lsptest.Start(t, filepath.Join(root, "shop"), lsptest.Options{Binary: serverBinary(t)})
	st := e.Await("ready", lsptest.Timeout, func(st lsptest.State) bool {
		return len(st.Statuses) > 0 && st.Statuses[len(st.Statuses)-1]["state"] == "ready"
	})
	assert.Equal(t, lsptest.URI(root), st.Statuses[len(st.Statuses)-1]["root"], "the project's root, not the client's folder")
	e.Save("core.py", "def hello():\n    return 2\n")
	st = e.Await("a reload", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 1 })
	assert.Contains(t, fmt.Sprint(st.Reports[0]["summary"]), "reloaded shop")
	assert.Equal(t, 0, e.Shutdown())
}

// TestFileOpenedWithoutAFolderBringsItsRoot: a client that names no
// workspace folder (single-file mode) opens a file of a project; the
// server serves the project's root, found from the file.
func TestFileOpenedWithoutAFolderBringsItsRoot(t *testing.T) {
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":   "[tool.pyreload]\ndebounceMs = 10\n",
		"shop/__init__.py": "from . import core\n",
		"shop/core.py":     "def hello():\n    return 1\n",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t), SkipInitalize: true})
	var res map[string]any
	require.NoError(t, e.Call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}}, &res))
	require.NoError(t, e.Conn.Notify("initialized", map[string]any{}))
	assert.Empty(t, e.Snapshot().Statuses, "no root yet")
	e.Open("shop/core.py")
	st := e.Await("ready", lsptest.Timeout, func(st lsptest.State) bool {
		return len(st.Statuses) > 0 && st.Statuses[len(st.Statuses)-1]["state"] == "ready"
	})
	assert.Equal(t, lsptest.URI(root), st.Statuses[len(st.Statuses)-1]["root"])
	e.Save("shop/core.py", "def hello():\n    return 2\n")
	st = e.Await("a reload", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 1 })
	assert.Contains(t, fmt.Sprint(st.Reports[0]["summary"]), "reloaded shop")
	assert.Equal(t, 0, e.Shutdown())
}
