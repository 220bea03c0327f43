package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestWatchOneEditOneReload drives `pyreload reload --watch --json` against
// an agent-attached app: one file edit gives exactly one report, and
// SIGINT ends the watch with exit 0.
func TestWatchOneEditOneReload(t *testing.T) {
	env := attachEnv(t)
	root := copyWebapp(t)
	app := startWebapp(t, env, root, 2)

	cmd := exec.Command(binary(t), "reload", "--root", root, "--watch", "--json")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &testbinary.SyncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill() })
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "watching") },
		10*time.Second, 10*time.Millisecond)

	setGreeting(t, root, "v2")
	var rep struct {
		Package string `json:"package"`
		OK      bool   `json:"ok"`
	}
	select {
	case line := <-lines:
		require.NoError(t, json.Unmarshal([]byte(line), &rep), line)
	case <-time.After(10 * time.Second):
		t.Fatalf("no reload report; stderr: %s", stderr)
	}
	assert.Equal(t, "shop", rep.Package)
	assert.True(t, rep.OK)
	select {
	case line := <-lines:
		t.Fatalf("a single edit gave a second report: %s", line)
	case <-time.After(1500 * time.Millisecond):
	}
	for pid, port := range app.workers {
		assert.Equal(t, answer{pid, "v2"}, get(t, port))
	}

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		assert.NoError(t, err, "exit 0 on Ctrl-C; stderr: %s", stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop on SIGINT")
	}
}
