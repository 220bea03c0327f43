package lsptest_test

import (
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/lsp/lsptest"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// portApp is a project whose entry holds a TCP port, as a web app does:
// two copies of it on one root would fail with "Address already in use".
func portApp(t *testing.T) (map[string]string, int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return map[string]string{
		"pyproject.toml":   "[tool.pyreload]\nentry = \"main.py\"\ndebounceMs = 10\nmode = \"patch\"\n",
		"shop/__init__.py": "",
		"shop/core.py":     "def hello():\n    return \"hello v1\"\n",
		"main.py": fmt.Sprintf(`import os, socket, time
import shop.core

listener = socket.socket()
listener.bind(("127.0.0.1", %d))
listener.listen()
print("serving pid", os.getpid(), flush=True)
said = None
while True:
    if shop.core.hello() != said:
        said = shop.core.hello()
        print(said, flush=True)
    time.sleep(0.02)
`, port),
	}, port
}

// listening waits until something accepts connections on port.
func listening(t *testing.T, port int) {
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	}, lsptest.Timeout, 20*time.Millisecond, "nothing listens on %d", port)
}

// startRun starts `pyreload run` (the entry of pyproject.toml) in root and
// returns it with its output and the pid of the process running the app.
func startRun(t *testing.T, root string) (*exec.Cmd, *testbinary.SyncBuffer, *testbinary.SyncBuffer, int) {
	run := exec.Command(serverBinary(t), "run")
	run.Dir = root
	stdout, stderr := &testbinary.SyncBuffer{}, &testbinary.SyncBuffer{}
	run.Stdout, run.Stderr = stdout, stderr
	require.NoError(t, run.Start())
	t.Cleanup(func() { run.Process.Kill(); run.Wait() })
	serving := regexp.MustCompile(`serving pid (\d+)`)
	require.Eventually(t, func() bool { return serving.MatchString(stdout.String()) }, lsptest.Timeout, 20*time.Millisecond,
		"run: %s%s", stdout, stderr)
	pid, _ := strconv.Atoi(serving.FindStringSubmatch(stdout.String())[1])
	return run, stdout, stderr, pid
}

func readyWith(pid int) func(lsptest.State) bool {
	return func(st lsptest.State) bool {
		n := len(st.Statuses)
		return n > 0 && st.Statuses[n-1]["state"] == "ready" && fmt.Sprint(st.Statuses[n-1]["pids"]) == fmt.Sprintf("[%d]", pid)
	}
}

// TestRunTakesOverFromTheEditor: the editor's server runs the app; a
// terminal `pyreload run` of the same root asks its host to step aside and
// runs the app itself (the port is free), the editor reloads into the run,
// and when the run ends the editor runs its own interpreter again.
func TestRunTakesOverFromTheEditor(t *testing.T) {
	files, port := portApp(t)
	root := testbinary.Workspace(t, files)
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.Await("ready", lsptest.Timeout, func(st lsptest.State) bool { return len(st.Statuses) > 0 })
	listening(t, port) // the editor's host runs the app
	first := e.HostStatus().PID
	require.NotZero(t, first)

	run, stdout, stderr, pid := startRun(t, root)
	assert.NotEqual(t, first, pid)
	assert.Contains(t, stderr.String(), fmt.Sprintf("the editor's interpreter of %s (pid %d) steps aside", root, first))
	e.Await("ready in the run's interpreter", lsptest.Timeout, readyWith(pid))
	e.Await("told", lsptest.Timeout, func(st lsptest.State) bool {
		return strings.Contains(fmt.Sprint(st.Messages), fmt.Sprintf("already runs in pid %d", pid))
	})

	e.Save("shop/core.py", "def hello():\n    return \"hello v2\"\n")
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "hello v2") }, lsptest.Timeout, 20*time.Millisecond,
		"the run's app takes the editor's save: %s%s", stdout, stderr)

	require.NoError(t, run.Process.Signal(syscall.SIGINT)) // the app's KeyboardInterrupt
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case <-done:
	case <-time.After(lsptest.Timeout):
		t.Fatal("run did not end on SIGINT")
	}
	assert.Equal(t, 130, run.ProcessState.ExitCode())
	assert.NotContains(t, stderr.String(), "Address already in use")
	st := e.Await("the editor's own interpreter again", lsptest.Timeout, func(st lsptest.State) bool {
		n := len(st.Statuses)
		return n > 0 && st.Statuses[n-1]["state"] == "ready" && fmt.Sprint(st.Statuses[n-1]["pids"]) != fmt.Sprintf("[%d]", pid) &&
			strings.Contains(fmt.Sprint(st.Messages), "the editor starts its own interpreter again")
	})
	assert.Contains(t, lsptest.Describe(st), "starts its own interpreter again")
	listening(t, port) // the editor's host runs the app again: the port was free
	assert.Equal(t, 0, e.Shutdown())
}

// TestEditorAttachesToARunningRun: with `pyreload run` already serving the
// root, the editor's server reloads into it and starts no app of its own.
func TestEditorAttachesToARunningRun(t *testing.T) {
	files, _ := portApp(t)
	root := testbinary.Workspace(t, files)
	_, stdout, stderr, pid := startRun(t, root)
	e := lsptest.Start(t, root, lsptest.Options{Binary: serverBinary(t)})
	e.Await("ready in the run's interpreter", lsptest.Timeout, readyWith(pid))
	e.Save("shop/core.py", "def hello():\n    return \"hello v2\"\n")
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "hello v2") }, lsptest.Timeout, 20*time.Millisecond,
		"%s%s", stdout, stderr)
	st := e.Snapshot()
	assert.Contains(t, fmt.Sprint(st.Messages), fmt.Sprintf("already runs in pid %d", pid))
	assert.Equal(t, 0, e.Shutdown())
	assert.NotContains(t, stderr.String(), "Address already in use")
}
