package lsptest_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestServerHostsTheAppInAnotherPython: with pythonPath naming a CPython
// other than the embedded one, the server runs the app in it through the
// agent, names it in pyreload/status, reloads on save, and restarts it
// after a crash as it does the embedded host. A misspelt setting is a
// warning naming the known key.
func TestServerHostsTheAppInAnotherPython(t *testing.T) {
	out, err := exec.Command("bash", filepath.Join(testbinary.RepoRoot(), ".ci", "other-pythons.sh")).Output()
	require.NoError(t, err)
	pythons := strings.Fields(string(out))
	if len(pythons) == 0 {
		t.Skip("no CPython besides /usr/bin/python3 on this machine (.ci/other-pythons.sh)")
	}
	py := pythons[len(pythons)-1]
	version, err := exec.Command(py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])").Output()
	require.NoError(t, err)
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":   fmt.Sprintf("[tool.pyreload]\npythonPath = %q\ndebounceMs = 10\nmode = \"patch\"\ndebounce_msec = 5\n", py),
		"shop/__init__.py": "from . import core\n",
		"shop/core.py":     "def hello():\n    return 'v1'\n",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.AwaitReady(1)
	st := e.Snapshot()
	ready := st.Statuses[len(st.Statuses)-1]
	require.Equal(t, "ready", ready["state"])
	interps, _ := ready["interpreters"].([]any)
	require.Len(t, interps, 1, "%v", ready)
	info := interps[0].(map[string]any)
	assert.Equal(t, strings.TrimSpace(string(version)), info["python"])
	assert.Equal(t, "agent", info["kind"], "another CPython runs the agent")
	assert.Equal(t, py, info["executable"])
	assert.Contains(t, fmt.Sprint(st.Messages), `unknown key "debounce_msec"; did you mean "debounceMs"?`)

	e.Save("shop/core.py", "def hello():\n    return 'v2'\n")
	st = e.Await("a reload", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 1 })
	assert.Contains(t, fmt.Sprint(st.Reports[0]["summary"]), "reloaded shop")

	first := int(info["pid"].(float64))
	require.NoError(t, syscall.Kill(first, syscall.SIGKILL))
	e.Await("restarted in the same Python", lsptest.Timeout, func(st lsptest.State) bool {
		last := st.Statuses[len(st.Statuses)-1]
		list, _ := last["interpreters"].([]any)
		return last["state"] == "ready" && len(list) == 1 && list[0].(map[string]any)["pid"] != float64(first) &&
			list[0].(map[string]any)["executable"] == py
	})
	assert.Equal(t, 0, e.Shutdown())
}
