package lsptest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

func errorCode(m map[string]any) float64 {
	if e, ok := m["error"].(map[string]any); ok {
		return e["code"].(float64)
	}
	return 0
}

// TestMalformedInput drives the real binary with broken messages, and a log
// path that cannot be opened: every request is answered and the server
// stays up until exit.
func TestMalformedInput(t *testing.T) {
	r := lsptest.StartRaw(t, serverBinary(t), "serve", "--stdio", "--log", "/nonexistent/dir/serve.log")
	r.Send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/codeAction","params":{}}`)
	assert.Equal(t, -32002.0, errorCode(r.Recv()), "request before initialize")
	r.Send(`{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"capabilities":{}}}`)
	assert.NotNil(t, r.Recv()["result"])
	r.Send(`{"jsonrpc":"2.0","id":3,`)
	assert.Equal(t, -32700.0, errorCode(r.Recv()), "invalid JSON")
	r.Send(`{"jsonrpc":"2.0","id":4,"method":"no/such"}`)
	assert.Equal(t, -32601.0, errorCode(r.Recv()), "unknown method")
	r.Send(`{"jsonrpc":"2.0","id":5,"method":"textDocument/codeAction","params":{"textDocument":{"uri":7}}}`)
	assert.Equal(t, -32602.0, errorCode(r.Recv()), "wrong param types")
	r.Write("Content-Length: zebra\r\n\r\n")
	assert.Equal(t, -32600.0, errorCode(r.Recv()), "bad header")
	huge := fmt.Sprintf(`{"jsonrpc":"2.0","id":6,"method":"textDocument/didOpen","params":{"text":"%s"}}`, strings.Repeat("x", 65<<20))
	r.Send(huge)
	m := r.Recv()
	assert.Equal(t, -32600.0, errorCode(m), "huge message")
	assert.Equal(t, 6.0, m["id"])
	r.Send(`{"jsonrpc":"2.0","id":7,"method":"workspace/executeCommand","params":{"command":"pyreload.deepReload","arguments":[]}}`)
	m = r.Recv()
	assert.Equal(t, -32602.0, errorCode(m))
	assert.Contains(t, fmt.Sprint(m["error"]), `{"package": "name"}`)
	r.Send(`{"jsonrpc":"2.0","id":8,"method":"shutdown"}`)
	assert.Nil(t, r.Recv()["error"])
	r.Send(`{"jsonrpc":"2.0","method":"exit"}`)
	assert.Equal(t, 0, r.Close())
}

func writeTree(t *testing.T, root string, files map[string]string) {
	testbinary.WriteTree(t, root, files)
}

func slowWorkspace(t *testing.T) string {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	writeTree(t, root, map[string]string{
		"pyproject.toml":   "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 10\n",
		"shop/__init__.py": "",
		"shop/slow.py":     "X = 1\n",
		"main.py":          "import shop.slow\n",
	})
	return root
}

// TestProgressAndDisconnectMidReload: a reload over 100 ms shows progress
// (begin, end), and a client that disconnects during a reload leaves no
// server and no host behind.
func TestProgressAndDisconnectMidReload(t *testing.T) {
	root := slowWorkspace(t)
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.AwaitReady(1)
	e.Save("shop/slow.py", "import time\ntime.sleep(0.4)\nX = 2\n")
	e.Await("progress end", lsptest.Timeout, func(st lsptest.State) bool {
		kinds := ""
		for _, p := range st.Progress {
			kinds += fmt.Sprint(p["value"].(map[string]any)["kind"]) + " "
		}
		return kinds == "begin end " && len(st.Reports) == 1
	})
	var pids []any
	for _, s := range e.Snapshot().Statuses {
		pids = s["pids"].([]any)
	}
	require.NotEmpty(t, pids)
	e.Save("shop/slow.py", "import time\ntime.sleep(20)\nX = 3\n")
	e.Await("second progress begin", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Progress) == 3 })
	e.CloseInput()
	assert.NotEqual(t, -1, e.Wait(20*time.Second), "the server exits when the client goes away")
	host := int(pids[0].(float64))
	assert.Eventually(t, func() bool { return syscall.Kill(host, 0) != nil }, 20*time.Second, 100*time.Millisecond, "host %d still runs", host)
}

// TestCommandsAndSettings: settings from pyproject.toml, initializationOptions
// and workspace/configuration; deepReload by package and by uri; restart.
func TestCommandsAndSettings(t *testing.T) {
	root := slowWorkspace(t)
	writeTree(t, root, map[string]string{"pyproject.toml": "[tool.pyreload]\nentry = \"main.py\"\nonSave = false\ndebounceMs = 10\n"})
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t), NoProgress: true})
	e.AwaitReady(1)
	e.Save("shop/slow.py", "X = 2\n")
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, e.Snapshot().Reports, "onSave = false in pyproject.toml")

	var res map[string]any
	require.NoError(t, e.Execute("pyreload.deepReload", []any{map[string]any{"package": "shop"}}, &res))
	assert.Equal(t, true, res["ok"])
	assert.Contains(t, res["summary"], "reloaded shop")
	require.NoError(t, e.Execute("pyreload.deepReload", []any{map[string]any{"uri": lsptest.URI(e.Path("shop/slow.py"))}}, &res))
	assert.Len(t, e.Snapshot().Reports, 2)

	actions, err := e.CodeActions("shop/slow.py", nil)
	require.NoError(t, err)
	require.Len(t, actions, 2)
	assert.Equal(t, "Deep reload package `shop`", actions[0].Title)
	assert.Equal(t, "source.deepReload.pyreload", actions[0].Kind)
	assert.Equal(t, "Deep reload whole package `shop`", actions[1].Title)
	assert.Equal(t, map[string]any{"uri": lsptest.URI(e.Path("shop/slow.py")), "all": true}, actions[1].Command.Arguments[0])

	// The pyproject.toml save turns onSave back on.
	e.Save("pyproject.toml", "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 10\n")
	time.Sleep(200 * time.Millisecond)
	e.Save("shop/slow.py", "X = 3\n")
	e.Await("a reload on save", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 3 })

	require.NoError(t, e.Execute("pyreload.restartInterpreter", nil, &res))
	assert.Equal(t, 1.0, res["restarted"])
	e.AwaitReady(2)
	assert.Equal(t, 0, e.Shutdown())
}

// TestSavesDuringReloadQueueOne: saves while a reload runs queue exactly one
// follow-up reload.
func TestSavesDuringReloadQueueOne(t *testing.T) {
	root := slowWorkspace(t)
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.AwaitReady(1)
	e.Save("shop/slow.py", "import time\ntime.sleep(1)\nX = 2\n")
	e.Await("reload running", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Progress) >= 1 })
	for i := 3; i < 6; i++ {
		e.Save("shop/slow.py", fmt.Sprintf("X = %d\n", i))
		time.Sleep(50 * time.Millisecond)
	}
	e.Await("two reloads", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) >= 2 })
	time.Sleep(500 * time.Millisecond)
	assert.Len(t, e.Snapshot().Reports, 2)
	e.Shutdown()
}

// TestAttachesToRunningApp: with an app already running under `pyreload
// run`, the server attaches to it instead of starting a host, and reloads
// there; when the app exits, the server starts its own host.
func TestAttachesToRunningApp(t *testing.T) {
	root := slowWorkspace(t)
	writeTree(t, root, map[string]string{"main.py": "import threading\nimport shop.slow\nthreading.Event().wait()\n"})
	bin := serverBinary(t)
	run := exec.Command(bin, "run", "--root", root, "main.py")
	run.Dir = root
	require.NoError(t, run.Start())
	t.Cleanup(func() { run.Process.Kill(); run.Wait() })
	var appPid int
	require.Eventually(t, func() bool {
		clients, _ := hostproto.Discover(root)
		for _, c := range clients {
			appPid = c.Process().PID
			c.Close()
		}
		return len(clients) == 1
	}, 30*time.Second, 50*time.Millisecond)

	e := lsptest.Start(t, root, lsptest.Options{Binary: bin})
	st := e.Await("attached", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Statuses) > 0 })
	assert.Equal(t, "ready", st.Statuses[0]["state"])
	assert.Equal(t, []any{float64(appPid)}, st.Statuses[0]["pids"], "attached to the running app")
	e.Save("shop/slow.py", "X = 2\n")
	st = e.Await("reload in the app", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) == 1 })
	assert.Equal(t, true, st.Reports[0]["ok"])

	// The app exits: the next reload notices and the server starts its own host.
	run.Process.Signal(syscall.SIGTERM)
	run.Wait()
	e.Save("shop/slow.py", "X = 3\n")
	st = e.Await("own host", lsptest.Timeout, func(st lsptest.State) bool {
		last := st.Statuses[len(st.Statuses)-1]
		return len(st.Statuses) == 2 && last["state"] == "ready" && last["pids"].([]any)[0] != float64(appPid)
	})
	e.Save("shop/slow.py", "X = 4\n")
	e.Await("reload in the new host", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Reports) >= 2 })
	assert.Equal(t, 0, e.Shutdown())
}

// TestMergesInterpretersNamingTheProcess: two processes of one root (an app
// under `pyreload run` and another under the pure-Python agent) hold
// different stale references; the server attaches to both, and a reference
// only one of them holds names that process.
func TestMergesInterpretersNamingTheProcess(t *testing.T) {
	root := slowWorkspace(t)
	writeTree(t, root, map[string]string{
		"pyproject.toml":  "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 10\nmode = \"evict\"\n",
		"shop/core.py":    "def hello():\n    return 1\n",
		"app/__init__.py": "",
		"app/views.py":    "from shop.core import hello\n",
		"main.py":         "import threading\nimport shop.core\nthreading.Event().wait()\n",
		"agent_main.py":   "import threading\nimport shop.core\nimport app.views\nthreading.Event().wait()\n",
	})
	bin := serverBinary(t)
	run := exec.Command(bin, "run", "--root", root, "main.py")
	run.Dir = root
	require.NoError(t, run.Start())
	t.Cleanup(func() { run.Process.Kill(); run.Wait() })
	agentPath, err := exec.Command(bin, "agent", "--path").Output()
	require.NoError(t, err)
	agent := exec.Command("/usr/bin/python3", "-m", "pyreload_agent", "--root", root, "agent_main.py")
	agent.Dir = root
	agent.Env = append(os.Environ(), "PYTHONPATH="+strings.TrimSpace(string(agentPath)))
	require.NoError(t, agent.Start())
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	require.Eventually(t, func() bool {
		clients, _ := hostproto.Discover(root)
		for _, c := range clients {
			c.Close()
		}
		return len(clients) == 2
	}, 30*time.Second, 50*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // both apps import their modules

	e := lsptest.Start(t, root, lsptest.Options{Binary: bin})
	e.Await("attached", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Statuses) > 0 })
	e.Save("shop/core.py", "def hello():\n    return 2\n")
	st := e.Await("stale-import from the agent only", lsptest.Timeout, func(st lsptest.State) bool {
		return len(st.Diagnostics["app/views.py"]) == 1
	})
	d := st.Diagnostics["app/views.py"][0]
	assert.Equal(t, "stale-import", d.Code)
	assert.Contains(t, d.Message, fmt.Sprintf("only in pid %d (agent)", agent.Process.Pid))
	assert.Equal(t, "https://github.com/pyreload/pyreload#stale-import", d.CodeDescription.Href)
	require.NotEmpty(t, d.RelatedInformation)
	assert.Equal(t, lsptest.URI(e.Path("shop/core.py")), d.RelatedInformation[0].Location.URI)
	assert.Equal(t, 0, d.RelatedInformation[0].Location.Range.Start.Line)
	assert.Equal(t, 0, e.Shutdown())
}
