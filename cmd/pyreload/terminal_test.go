package main_test

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// terminalRun is a command on a real pseudo-terminal (its controlling
// terminal, whose foreground process group it leads): `pyreload run` as a
// user starts it, or an interactive shell.
type terminalRun struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	out  *testbinary.SyncBuffer
	done chan struct{}
}

func startTerminalRun(t *testing.T, root string, args ...string) *terminalRun {
	t.Helper()
	cmd := exec.Command(testbinary.Path(t), append([]string{"run"}, args...)...)
	cmd.Dir = root
	return startTerminal(t, cmd)
}

// startTerminal starts cmd on a new pseudo-terminal and records what it shows.
func startTerminal(t *testing.T, cmd *exec.Cmd) *terminalRun {
	t.Helper()
	tty, err := pty.Start(cmd)
	require.NoError(t, err)
	r := &terminalRun{t: t, cmd: cmd, tty: tty, out: &testbinary.SyncBuffer{}, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			r.out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	})
	return r
}

// waitFor waits until the terminal has shown text.
func (r *terminalRun) waitFor(text string) {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return strings.Contains(r.out.String(), text) },
		20*time.Second, 10*time.Millisecond, "the terminal never showed %q; it shows:\n%s", text, r.out.String())
}

// typeKeys writes keys as the user would type them.
func (r *terminalRun) typeKeys(keys string) {
	_, err := r.tty.Write([]byte(keys))
	require.NoError(r.t, err)
}

// exitCode waits for `pyreload run` to end.
func (r *terminalRun) exitCode() int {
	r.t.Helper()
	waited := make(chan error, 1)
	go func() { waited <- r.cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(20 * time.Second):
		r.t.Fatalf("pyreload run did not end; the terminal shows:\n%s", r.out.String())
	}
	<-r.done
	return r.cmd.ProcessState.ExitCode()
}

// TestRunReadsTheTerminal: the app reads the user's terminal as it would
// under python3 (input() with its prompt, isatty), and Ctrl-C typed there
// stops it cleanly.
func TestRunReadsTheTerminal(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": `import sys, time
print("stdin is a tty:", sys.stdin.isatty(), flush=True)
name = input("name? ")
print("hello,", name, flush=True)
try:
    while True:
        time.sleep(0.05)
finally:
    print("cleaned up", flush=True)
`})
	r := startTerminalRun(t, root, "app.py")
	r.waitFor("name? ")
	assert.Contains(t, r.out.String(), "stdin is a tty: True")
	r.typeKeys("world\r")
	r.waitFor("hello, world")
	r.typeKeys("\x03") // Ctrl-C
	assert.Equal(t, 130, r.exitCode())
	assert.Contains(t, r.out.String(), "cleaned up")
}

// TestRunBreakpointInTheTerminal: breakpoint() in the app opens pdb on the
// user's terminal; commands typed there run in the app.
func TestRunBreakpointInTheTerminal(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "x = 41\nbreakpoint()\nprint('after', x + 1, flush=True)\n"})
	r := startTerminalRun(t, root, "app.py")
	r.waitFor("(Pdb) ")
	r.typeKeys("p x * 1000\r")
	r.waitFor("41000")
	r.typeKeys("c\r")
	r.waitFor("after 42")
	assert.Equal(t, 0, r.exitCode())
}

// TestRunWithoutATerminalPassesStdin: piped input reaches the app.
func TestRunWithoutATerminalPassesStdin(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import sys\nprint('read', sys.stdin.read().upper())\n"})
	cmd := exec.Command(testbinary.Path(t), "run", "app.py")
	cmd.Dir = root
	cmd.Stdin = strings.NewReader("piped text")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "read PIPED TEXT")
}

// TestRunSuspendsOnCtrlZ: in an interactive shell, Ctrl-Z stops run and the
// app together (job control sees one job); fg resumes both.
func TestRunSuspendsOnCtrlZ(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(0.05)\n"})
	shell := exec.Command("bash", "--norc", "--noprofile", "-i")
	shell.Dir = root
	shell.Env = append(os.Environ(), "PS1=$ ")
	r := startTerminal(t, shell)
	r.typeKeys(testbinary.Path(t) + " run app.py\r")
	r.waitFor("up")
	clients, err := hostproto.Discover(root)
	require.NoError(t, err)
	require.Len(t, clients, 1)
	host := clients[0].Process().PID
	clients[0].Close()
	run := parentOf(host)
	r.typeKeys("\x1a") // Ctrl-Z
	r.waitFor("Stopped")
	assert.Equal(t, "T", processState(run), "run is stopped")
	assert.Equal(t, "T", processState(host), "the app is stopped")
	r.typeKeys("fg\r")
	for _, pid := range []int{run, host} {
		require.Eventually(t, func() bool { return processState(pid) != "T" }, 10*time.Second,
			10*time.Millisecond, "pid %d was not resumed", pid)
	}
	r.typeKeys("\x03")
	r.typeKeys("echo code=$?\r")
	r.waitFor("code=130")
	r.typeKeys("exit\r")
}

// parentOf is the parent pid of pid, from /proc/PID/stat.
func parentOf(pid int) int {
	raw, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// processState is the state letter of /proc/PID/stat (R, S, T, ...).
func processState(pid int) string {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// TestRunCtrlCIsTheAppsKeyboardInterrupt: as under python3, Ctrl-C is a
// KeyboardInterrupt the app may handle; at a pdb prompt it asks again.
func TestRunCtrlCIsTheAppsKeyboardInterrupt(t *testing.T) {
	root := workspace(t, map[string]string{
		"app.py": `import time
caught = 0
while caught < 2:
    try:
        print("waiting", caught, flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        caught += 1
        print("caught", caught, flush=True)
breakpoint()
print("done", flush=True)
`,
	})
	r := startTerminalRun(t, root, "app.py")
	r.waitFor("waiting 0")
	r.typeKeys("\x03")
	r.waitFor("caught 1")
	r.waitFor("waiting 1")
	r.typeKeys("\x03")
	r.waitFor("caught 2")
	r.waitFor("(Pdb) ")
	r.typeKeys("\x03")
	r.waitFor("--KeyboardInterrupt--")
	r.typeKeys("c\r")
	r.waitFor("done")
	assert.Equal(t, 0, r.exitCode())
}

// TestRunAppHasPythonsMainThread: the app runs where python3 would run it,
// so signal.signal and asyncio's signal handlers work.
func TestRunAppHasPythonsMainThread(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": `import asyncio, signal, threading
print("main thread:", threading.current_thread() is threading.main_thread())
signal.signal(signal.SIGUSR1, lambda *a: None)
async def main():
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, lambda: None)
    print("asyncio signal handler installed")
asyncio.run(main())
`})
	cmd := exec.Command(testbinary.Path(t), "run", "app.py")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "main thread: True")
	assert.Contains(t, string(out), "asyncio signal handler installed")
}
