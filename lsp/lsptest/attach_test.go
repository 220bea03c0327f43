package lsptest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestAttachesOverTCPToAContainerRoot: the app runs under the agent with a
// TCP listener and sees the workspace at another path (as in a container
// with the project mounted at /app). The server reaches it through the
// `attach` setting, and the diagnostics land on the editor's files.
func TestAttachesOverTCPToAContainerRoot(t *testing.T) {
	files := map[string]string{
		"shop/__init__.py": "",
		"shop/core.py":     "def hello():\n    return 1\n",
		"app/__init__.py":  "",
		"app/views.py":     "from shop.core import hello\n",
		"main.py":          "import threading\nimport app.views\nprint('up', flush=True)\nthreading.Event().wait()\n",
	}
	remote := testbinary.Workspace(t, files) // the container's view of the project
	bin := serverBinary(t)
	agentPath, err := exec.Command(bin, "agent", "--path").Output()
	require.NoError(t, err)
	tokenFile := filepath.Join(t.TempDir(), "agent.token")
	agent := exec.Command("/usr/bin/python3", "-m", "pyreload_agent", "--root", remote,
		"--tcp", "127.0.0.1:0", "--token-file", tokenFile, "main.py")
	agent.Dir = remote
	agent.Env = append(os.Environ(), "PYTHONPATH="+strings.TrimSpace(string(agentPath)))
	stderr := &testbinary.SyncBuffer{}
	stdout := &testbinary.SyncBuffer{}
	agent.Stderr, agent.Stdout = stderr, stdout
	require.NoError(t, agent.Start())
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	listening := regexp.MustCompile(`TCP (127\.0\.0\.1:\d+), token file`)
	require.Eventually(t, func() bool {
		return listening.MatchString(stderr.String()) && strings.Contains(stdout.String(), "up")
	}, 30*time.Second, 20*time.Millisecond, "agent: %s", stderr)
	addr := listening.FindStringSubmatch(stderr.String())[1]

	// The editor's copy of the project, with the agent in its settings.
	// Workspace gives it a sockets directory of its own, so only the TCP
	// agent is reachable.
	files["pyproject.toml"] = fmt.Sprintf("[tool.pyreload]\ndebounceMs = 10\nmode = \"evict\"\nattach = [{ address = %q, tokenFile = %q, remoteRoot = %q }]\n",
		addr, tokenFile, remote)
	local := testbinary.Workspace(t, files)
	e := lsptest.Start(t, local, lsptest.Options{Binary: bin})
	st := e.Await("attached", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Statuses) > 0 })
	assert.Equal(t, "ready", st.Statuses[0]["state"])
	assert.Equal(t, []any{float64(agent.Process.Pid)}, st.Statuses[0]["pids"], "attached to the agent, no host of its own")

	// The mount: one edit shows in both views.
	v2 := "def hello():\n    return 2\n"
	require.NoError(t, os.WriteFile(filepath.Join(remote, "shop", "core.py"), []byte(v2), 0o644))
	e.Save("shop/core.py", v2)
	st = e.Await("stale-import on the editor's file", lsptest.Timeout, func(st lsptest.State) bool {
		return len(st.Diagnostics["app/views.py"]) == 1
	})
	d := st.Diagnostics["app/views.py"][0]
	assert.Equal(t, "stale-import", d.Code)
	require.NotEmpty(t, d.RelatedInformation)
	assert.Equal(t, lsptest.URI(e.Path("shop/core.py")), d.RelatedInformation[0].Location.URI,
		"the new definition is on the editor's side too")
	for path := range st.Diagnostics {
		assert.False(t, strings.HasPrefix(path, remote), "no diagnostic on the agent's paths: %s", path)
	}
	assert.Equal(t, 0, e.Shutdown())
}

// TestAttachSettingWithoutAnAgentFails: the processes the user named do not
// answer; the server says so and starts no host of its own.
func TestAttachSettingWithoutAnAgentFails(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(token, []byte("feed\n"), 0o600))
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":   fmt.Sprintf("[tool.pyreload]\nattach = [{ address = \"127.0.0.1:1\", tokenFile = %q }, \"127.0.0.1:2\"]\n", token),
		"shop/__init__.py": "",
	})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	st := e.Await("failed", lsptest.Timeout, func(st lsptest.State) bool {
		return len(st.Statuses) > 0 && len(st.Messages) >= 3
	})
	assert.Equal(t, "failed", st.Statuses[0]["state"])
	text := fmt.Sprint(st.Messages)
	assert.Contains(t, text, "attach 127.0.0.1:1: ")
	assert.Contains(t, text, "attach 127.0.0.1:2: no tokenFile")
	assert.Contains(t, text, "none of the agents")
	assert.Equal(t, 0, e.Shutdown())
}
