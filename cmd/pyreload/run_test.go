package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// workspace writes files under a fresh root and isolates the socket dir.
func workspace(t *testing.T, files map[string]string) string {
	return testbinary.Workspace(t, files)
}

// pyreload runs the real binary in dir and waits for it.
func pyreload(t *testing.T, dir string, args ...string) testbinary.Result {
	return testbinary.Run(t, dir, nil, args...)
}

// startRun starts `pyreload run` in the background and waits until the root
// has a live interpreter.
func startRun(t *testing.T, root string, args ...string) (*exec.Cmd, *testbinary.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(testbinary.Path(t), append([]string{"run"}, args...)...)
	cmd.Dir = root
	out := &testbinary.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	require.Eventually(t, func() bool {
		clients, _ := hostproto.Discover(root)
		for _, c := range clients {
			c.Close()
		}
		return len(clients) > 0
	}, 20*time.Second, 20*time.Millisecond, "run never became reachable; its output: %s", out)
	return cmd, out
}

func TestRunShowsOutputAndKeepsExitCode(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import sys\nprint('hello from app')\nsys.exit(5)\n"})
	r := pyreload(t, root, "run", "app.py")
	assert.Equal(t, 5, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "hello from app")
}

func TestRunModuleAndFunctionTargets(t *testing.T) {
	root := workspace(t, map[string]string{
		"shop/__init__.py": "",
		"shop/app.py":      "import sys\ndef main():\n    print('main', sys.argv[1:])\nif __name__ == '__main__':\n    print('as module', sys.argv[1:])\n",
	})
	r := pyreload(t, root, "run", "shop.app:main", "a", "b")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "main ['a', 'b']")
	r = pyreload(t, root, "run", "shop.app", "x")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "as module ['x']")
}

func TestRunUserCodeFaults(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		code      int
		says      string
	}{
		{"segfault", "import ctypes\nctypes.string_at(0)\n", 128 + int(syscall.SIGSEGV), "SIGSEGV"},
		{"os_exit", "import os\nos._exit(3)\n", 3, ""},
		{"abort", "import os\nos.abort()\n", 128 + int(syscall.SIGABRT), "SIGABRT"},
		{"systemexit_at_import", "raise SystemExit(4)\n", 4, ""},
		{"exception", "def f():\n    raise ValueError('boom')\nf()\n", 1, "ValueError: boom"},
		{"systemexit_in_thread", "import sys, threading\nt = threading.Thread(target=sys.exit, args=(9,))\nt.start(); t.join()\nprint('main continues')\n", 0, ""},
		{"prints_to_fd1", "import os\nprint('{not json')\nos.write(1, b'raw\\n')\n", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := workspace(t, map[string]string{"app.py": tc.src})
			r := pyreload(t, root, "run", "app.py")
			assert.Equal(t, tc.code, r.Code, "stdout %s\nstderr %s", r.Stdout, r.Stderr)
			if tc.says != "" {
				assert.Contains(t, r.Stderr, tc.says)
			}
			if tc.name == "systemexit_in_thread" {
				assert.Contains(t, r.Stdout, "main continues")
			}
			if tc.name == "prints_to_fd1" {
				assert.Contains(t, r.Stdout, "{not json")
				assert.Contains(t, r.Stdout, "raw")
			}
		})
	}
}

func TestRunBadInput(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "print(1)\n"})
	r := pyreload(t, root, "run", "missing.py")
	assert.Equal(t, 66, r.Code)
	assert.Contains(t, r.Stderr, "no such script")

	file := filepath.Join(root, "app.py")
	r = pyreload(t, root, "run", "--root", file, "app.py")
	assert.Equal(t, 66, r.Code)
	assert.Contains(t, r.Stderr, "is not a directory")

	r = pyreload(t, root, "run")
	assert.Equal(t, 64, r.Code)

	r = pyreload(t, root, "run", "no_such_module")
	assert.Equal(t, 1, r.Code)
	assert.Contains(t, r.Stderr, "No module named 'no_such_module'")
}

func TestRunStopsCleanlyOnCtrlC(t *testing.T) {
	root := workspace(t, map[string]string{
		"app.py": "import time\ntry:\n    print('running', flush=True)\n    while True:\n        time.sleep(0.05)\nfinally:\n    print('cleaned up', flush=True)\n",
	})
	cmd, out := startRun(t, root, "app.py")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "running") },
		20*time.Second, 10*time.Millisecond, "the app never ran")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 130, ee.ExitCode())
	assert.Contains(t, out.String(), "cleaned up")
	dir, _ := hostproto.SocketDir()
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries, "the socket is removed on exit")
}

func TestSecondRunForTheSameRootIsRefused(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import time\nwhile True:\n    time.sleep(0.1)\n"})
	startRun(t, root, "app.py")
	clients, _ := hostproto.Discover(root)
	require.Len(t, clients, 1)
	hostPID := clients[0].Process().PID
	clients[0].Close()
	r := pyreload(t, root, "run", "app.py")
	assert.Equal(t, 75, r.Code)
	assert.Contains(t, r.Stderr, "already serves")
	assert.Contains(t, r.Stderr, "pid "+strconv.Itoa(hostPID))
}

func TestStaleSocketOfKilledRunIsCleared(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import time\nwhile True:\n    time.sleep(0.1)\n"})
	first, _ := startRun(t, root, "app.py")
	clients, _ := hostproto.Discover(root)
	require.Len(t, clients, 1)
	hostPID := clients[0].Process().PID
	clients[0].Close()
	// Kill host and parent without any cleanup: the socket file stays.
	syscall.Kill(hostPID, syscall.SIGKILL)
	first.Process.Kill()
	first.Wait()
	startRun(t, root, "app.py")
	clients, _ = hostproto.Discover(root)
	require.Len(t, clients, 1)
	assert.NotEqual(t, hostPID, clients[0].Process().PID)
	clients[0].Close()
}
