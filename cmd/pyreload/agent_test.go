package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// These tests drive the real binary (bin/pyreload, built by `make`) against
// real Python processes started with plain /usr/bin/python3 and the agent.

const python = "/usr/bin/python3"

// binary is the built pyreload ($PYRELOAD_BIN or bin/pyreload).
func binary(t testing.TB) string { return testbinary.Path(t) }

// attachEnv isolates the socket directory of one test.
func attachEnv(t testing.TB) []string {
	run, err := os.MkdirTemp("", "prt") // short: unix socket paths are limited
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(run) })
	return append(os.Environ(), "XDG_RUNTIME_DIR="+run)
}

// copyWebapp copies testdata/agent/webapp into a fresh root.
func copyWebapp(t testing.TB) string {
	root := t.TempDir()
	src := "../../testdata/agent/webapp"
	require.NoError(t, filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || strings.Contains(p, "__pycache__") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(root, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), data, 0o644)
	}))
	real, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	return real
}

// webapp is a running pre-fork app: its parent and workers (pid -> port).
type webapp struct {
	cmd     *exec.Cmd
	workers map[int]int
	stderr  *testbinary.SyncBuffer
}

// startWebapp runs `python3 -m pyreload_agent --root ROOT [agentArgs] app
// PORTS N` with the agent from `pyreload agent --path`, and waits until
// every worker serves HTTP and its agent socket.
func startWebapp(t testing.TB, env []string, root string, n int, agentArgs ...string) *webapp {
	out, err := exec.Command(binary(t), "agent", "--path").Output()
	require.NoError(t, err)
	agentDir := strings.TrimSpace(string(out))
	require.FileExists(t, filepath.Join(agentDir, "pyreload_agent", "engine", "api.py"))
	ports := filepath.Join(root, "ports")
	args := append([]string{"-m", "pyreload_agent", "--root", root}, agentArgs...)
	args = append(args, "app", ports, strconv.Itoa(n))
	cmd := exec.Command(python, args...)
	cmd.Dir = root
	cmd.Env = append(env, "PYTHONPATH="+agentDir)
	app := &webapp{cmd: cmd, stderr: &testbinary.SyncBuffer{}}
	cmd.Stderr = app.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the app and its workers
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		app.workers = readPorts(ports)
		if len(app.workers) == n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.Len(t, app.workers, n, "workers up; stderr: %s", app.stderr)
	for pid, port := range app.workers {
		got := get(t, port)
		require.Equal(t, pid, got.PID)
	}
	return app
}

func readPorts(path string) map[int]int {
	out := map[int]int{}
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var pid, port int
		if _, err := fmt.Sscan(line, &pid, &port); err == nil {
			out[pid] = port
		}
	}
	return out
}

type answer struct {
	PID      int    `json:"pid"`
	Greeting string `json:"greeting"`
}

func get(t testing.TB, port int) answer {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	require.NoError(t, err)
	defer resp.Body.Close()
	var a answer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	return a
}

func setGreeting(t testing.TB, root, v string) {
	path := filepath.Join(root, "shop", "views.py")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	re := regexp.MustCompile(`return "[^"]*"`)
	require.NoError(t, os.WriteFile(path, re.ReplaceAll(data, []byte(`return "`+v+`"`)), 0o644))
}

// pyreload runs the binary and returns stdout, stderr and the exit code.
func pyreload(t testing.TB, env []string, args ...string) (string, string, int) {
	r := testbinary.Run(t, "", env, args...)
	return r.Stdout, r.Stderr, r.Code
}

func TestAttachPreforkWorkersReloadTogether(t *testing.T) {
	env := attachEnv(t)
	root := copyWebapp(t)
	app := startWebapp(t, env, root, 4)

	setGreeting(t, root, "v2")
	stdout, stderr, code := pyreload(t, env, "reload", "--root", root, "--json", "shop")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	var reps []struct {
		OK      bool     `json:"ok"`
		Modules []string `json:"modules"`
		Errors  []any    `json:"errors"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &reps))
	require.Len(t, reps, 1)
	assert.True(t, reps[0].OK)
	assert.Equal(t, []string{"shop.views"}, reps[0].Modules, "in place: only the edited module runs")
	assert.Empty(t, reps[0].Errors)
	for pid, port := range app.workers {
		assert.Equal(t, answer{pid, "v2"}, get(t, port), "worker %d runs the new code", pid)
	}

	// One worker hangs in the reload and is killed: it is reported by pid,
	// and the three others still reload.
	var victim int
	for pid := range app.workers {
		victim = pid
		break
	}
	marker := filepath.Join(root, fmt.Sprintf("slow-%d", victim))
	require.NoError(t, os.WriteFile(marker, nil, 0o644))
	setGreeting(t, root, "v3")
	type result struct {
		stdout, stderr string
		code           int
	}
	done := make(chan result, 1)
	go func() {
		o, e, c := pyreload(t, env, "reload", "--root", root, "shop")
		done <- result{o, e, c}
	}()
	require.Eventually(t, func() bool { _, err := os.Stat(marker + ".started"); return err == nil },
		20*time.Second, 10*time.Millisecond, "the victim started re-importing")
	require.NoError(t, syscall.Kill(victim, syscall.SIGKILL))
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("pyreload reload blocked on a killed worker")
	}
	assert.Contains(t, res.stderr, fmt.Sprintf("agent %d did not answer", victim))
	assert.Contains(t, res.stderr, "reloaded shop in place (1 module; reset 1)", "_slow, marked reset")
	assert.Contains(t, res.stderr, "1 interpreter did not answer")
	for pid, port := range app.workers {
		if pid != victim {
			assert.Equal(t, answer{pid, "v3"}, get(t, port), "worker %d runs the new code", pid)
		}
	}
	// The killed worker's socket is stale: the next reload skips and removes it.
	_, stderr, code = pyreload(t, env, "reload", "--root", root, "shop")
	assert.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "did not answer")
}

func TestAttachTCPNeedsToken(t *testing.T) {
	env := attachEnv(t)
	root := copyWebapp(t)
	tokenFile := filepath.Join(t.TempDir(), "agent.token")
	app := startWebapp(t, env, root, 1, "--tcp", "127.0.0.1:0", "--token-file", tokenFile)
	m := regexp.MustCompile(`TCP (127\.0\.0\.1:\d+), token file (\S+)`).FindStringSubmatch(app.stderr.String())
	require.NotNil(t, m, "the agent tells where it listens: %s", app.stderr)
	addr := m[1]
	require.Equal(t, tokenFile, m[2])
	st, err := os.Stat(tokenFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// Without the token: refused and closed.
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	fmt.Fprintln(conn, `{"jsonrpc":"2.0","id":1,"method":"ping"}`)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	assert.Contains(t, line, "token refused")
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the agent closed the connection")
	conn.Close()
	assert.Eventually(t, func() bool { return strings.Contains(app.stderr.String(), "refused TCP connection") },
		5*time.Second, 20*time.Millisecond, "the refusal is logged")

	// With a wrong token: pyreload reports no interpreter.
	bad := filepath.Join(t.TempDir(), "bad.token")
	require.NoError(t, os.WriteFile(bad, []byte("00ff\n"), 0o600))
	_, _, code := pyreload(t, env, "reload", "--tcp", addr, "--token-file", bad, "shop")
	assert.Equal(t, exitNoInterp, code)

	// With the token: the parent (which imported shop) reloads over TCP.
	setGreeting(t, root, "v2")
	stdout, stderr, code := pyreload(t, env, "reload", "--root", root, "--tcp", addr, "--token-file", tokenFile, "--json", "shop")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"ok": true`)
}

// TestReloadReachesTheAttachSetting: `pyreload reload` also reaches the
// agents of [tool.pyreload] attach, and names files as its root has them
// when the agent sees the project elsewhere (a container's mount).
func TestReloadReachesTheAttachSetting(t *testing.T) {
	remote := copyWebapp(t) // the container's view of the project
	tokenFile := filepath.Join(t.TempDir(), "agent.token")
	app := startWebapp(t, attachEnv(t), remote, 1, "--tcp", "127.0.0.1:0", "--token-file", tokenFile)
	m := regexp.MustCompile(`TCP (127\.0\.0\.1:\d+), token file`).FindStringSubmatch(app.stderr.String())
	require.NotNil(t, m, "the agent tells where it listens: %s", app.stderr)

	local := copyWebapp(t)
	settings := fmt.Sprintf("[tool.pyreload]\nattach = [{ address = %q, tokenFile = %q, remoteRoot = %q }]\n", m[1], tokenFile, remote)
	require.NoError(t, os.WriteFile(filepath.Join(local, "pyproject.toml"), []byte(settings), 0o644))
	env := attachEnv(t) // no socket of the root here: only the TCP agent answers
	broken := []byte("def greeting(:\n    return 'v2'\n")
	for _, root := range []string{remote, local} { // one edit, seen on both sides of the mount
		require.NoError(t, os.WriteFile(filepath.Join(root, "shop", "views.py"), broken, 0o644))
	}
	stdout, stderr, code := pyreload(t, env, "reload", "--root", local, "shop")
	assert.Equal(t, exitRolledBack, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "shop/views.py:1:"), "the root's own file: %s", stdout)
	assert.NotContains(t, stdout+stderr, remote)

	// An entry that cannot be reached is told, and the others still reload.
	settings = strings.Replace(settings, "attach = [", `attach = [{ address = "127.0.0.1:1", tokenFile = "missing.token" }, `, 1)
	require.NoError(t, os.WriteFile(filepath.Join(local, "pyproject.toml"), []byte(settings), 0o644))
	stdout, stderr, code = pyreload(t, env, "reload", "--root", local, "shop")
	assert.Equal(t, exitRolledBack, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "shop/views.py:1:"), stdout)
	assert.Contains(t, stderr, "pyreload: attach 127.0.0.1:1: ")
	assert.Contains(t, stderr, "missing.token")
}

func TestAgentHelp(t *testing.T) {
	var buf bytes.Buffer
	printAgentHelp(&buf, "/cache/agent-x", "/work/my app")
	help := buf.String()
	for _, want := range []string{
		"the two lines to add to your app",
		"import pyreload_agent\n    pyreload_agent.start(root=\"/work/my app\")",
		"PYTHONPATH=/cache/agent-x python3 -m pyreload_agent --root '/work/my app' TARGET",
		"any Python 3.8+",
	} {
		assert.Contains(t, help, want)
	}
}

func TestAgentPathInstallsPrivately(t *testing.T) {
	cache := t.TempDir()
	cmd := exec.Command(binary(t), "agent", "--path")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	out, err := cmd.Output()
	require.NoError(t, err)
	dir := strings.TrimSpace(string(out))
	assert.True(t, strings.HasPrefix(dir, filepath.Join(cache, "pyreload", "agent-")), dir)
	st, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	// The written agent runs on plain python3 and finds its bundled engine.
	check := exec.Command(python, "-c", "import pyreload_agent.engineload as e; print(e.engine_dir()); e.load_api()")
	check.Env = append(os.Environ(), "PYTHONPATH="+dir)
	got, err := check.CombinedOutput()
	require.NoError(t, err, string(got))
	assert.Equal(t, filepath.Join(dir, "pyreload_agent", "engine"), strings.TrimSpace(string(got)))
}
