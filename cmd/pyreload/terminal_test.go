package main_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// terminalRun is `pyreload run` on a real pseudo-terminal, as a user starts
// it from a shell: the pty is its controlling terminal and it leads the
// foreground process group.
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
