package lsptest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
)

// TestCrashLoopIsBoundedAndASaveEndsIt: saving a module that kills the
// interpreter at import used to restart the host without end (73 times and
// 146 popups in 8 s). The restarts stop after a few, one message tells the
// user, pyreload/status says failed with the reason and the file, and
// saving the fixed file brings the host back.
func TestCrashLoopIsBoundedAndASaveEndsIt(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	writeTree(t, root, map[string]string{
		"pyproject.toml":     "[tool.pyreload]\ndebounceMs = 10\n",
		"crashy/__init__.py": "from . import core\n",
		"crashy/core.py":     "X = 1\n",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.AwaitReady(1)

	e.Save("crashy/core.py", "import ctypes\n\ndef boom():\n    ctypes.string_at(0)\n\nboom()\n")
	st := e.Await("the root failed", 2*lsptest.Timeout, func(st lsptest.State) bool {
		return lastStatus(st)["state"] == "failed"
	})
	failed := lastStatus(st)
	assert.Equal(t, lsptest.URI(filepath.Join(root, "crashy", "core.py")), failed["file"], "the file to fix")
	assert.Contains(t, failed["reason"], "SIGSEGV")
	restarts := 0
	for _, s := range st.Statuses {
		if s["state"] == "restarting" {
			restarts++
		}
	}
	assert.Equal(t, 4, restarts, "bounded restarts")
	var hostMessages []string
	for _, m := range st.Messages {
		if strings.Contains(m.Message, "Python host") {
			hostMessages = append(hostMessages, m.Message)
		}
	}
	require.Len(t, hostMessages, 1, "one message per crash loop")
	assert.Contains(t, hostMessages[0], "core.py")
	assert.Contains(t, hostMessages[0], "SIGSEGV")

	seen := len(st.Statuses)
	e.Save("crashy/core.py", "X = 2\n")
	e.Await("restarting, then ready after the fix", lsptest.Timeout, func(st lsptest.State) bool {
		restarting := false
		for _, s := range st.Statuses[seen:] {
			restarting = restarting || s["state"] == "restarting"
			if restarting && s["state"] == "ready" {
				return true
			}
		}
		return false
	})
	reports := len(e.Snapshot().Reports)
	e.Save("crashy/core.py", "X = 3\n")
	st = e.Await("a reload on the new host", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) > reports })
	assert.Equal(t, true, st.Reports[len(st.Reports)-1]["ok"], st.Reports[len(st.Reports)-1])
}

func lastStatus(st lsptest.State) map[string]any {
	if len(st.Statuses) == 0 {
		return map[string]any{}
	}
	return st.Statuses[len(st.Statuses)-1]
}
