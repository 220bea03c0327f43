package main

import (
	"bufio"
	"context"
	"encoding/json"
	"github.com/pyreload/pyreload/reload/testbinary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestWatcherDebouncesAndFilters checks the tree watcher in-process: a
// burst of writes is one batch, ignored directories give none, a new
// package directory is picked up, and the package filter holds.
func TestWatcherDebouncesAndFilters(t *testing.T) {
	root := t.TempDir()
	root, _ = filepath.EvalSymlinks(root)
	for _, d := range []string{"shop", "other", ".git", "shop/__pycache__", "node_modules/x", "env"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "env", "pyvenv.cfg"), nil, 0o644))
	w, err := newTreeWatcher(root, nil)
	require.NoError(t, err)
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := make(chan []string, 10)
	go w.Run(ctx, 100*time.Millisecond, func(p []string) { batches <- p })
	next := func() []string {
		select {
		case b := <-batches:
			return b
		case <-time.After(3 * time.Second):
			return nil
		}
	}
	write := func(rel string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), []byte("x = 1\n"), 0o644))
	}

	for i := 0; i < 5; i++ {
		write("shop/core.py")
		time.Sleep(10 * time.Millisecond)
	}
	write("other/a.py")
	assert.Equal(t, []string{"other", "shop"}, next(), "one batch for the burst")
	write(".git/hook.py")
	write("shop/__pycache__/core.py")
	write("node_modules/x/y.py")
	write("env/site.py")
	write("shop/notes.txt")
	assert.Nil(t, next(), "ignored places and non-Python files")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "fresh", "sub"), 0o755))
	time.Sleep(50 * time.Millisecond)
	write("fresh/sub/m.py")
	assert.Equal(t, []string{"fresh"}, next(), "new directories are watched")

	only, err := newTreeWatcher(root, []string{"shop"})
	require.NoError(t, err)
	defer only.Close()
	var got [][]string
	var mu sync.Mutex
	go only.Run(ctx, 50*time.Millisecond, func(p []string) { mu.Lock(); got = append(got, p); mu.Unlock() })
	write("other/a.py")
	write("shop/core.py")
	assert.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }, 3*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	assert.Equal(t, [][]string{{"shop"}}, got)
	mu.Unlock()
}
