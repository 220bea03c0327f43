package agent_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/agent"
	"github.com/pyreload/pyreload/reload/engine"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

const python = "/usr/bin/python3"

func TestInstallIsAtomicPrivateAndReused(t *testing.T) {
	base := t.TempDir()
	dirs := make([]string, 4)
	var wg sync.WaitGroup
	for n := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := agent.Install(base)
			assert.NoError(t, err)
			dirs[n] = d
		}()
	}
	wg.Wait()
	for _, d := range dirs {
		assert.Equal(t, filepath.Join(base, "agent-"+agent.Hash()), d)
	}
	st, err := os.Stat(dirs[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	for _, m := range engine.Modules() {
		got, err := os.ReadFile(filepath.Join(dirs[0], "pyreload_agent", "engine", m.Name+".py"))
		require.NoError(t, err)
		assert.Equal(t, m.Source, string(got), "engine file %s is copied unchanged", m.Name)
	}
	assert.FileExists(t, filepath.Join(dirs[0], "pyreload_agent", "__main__.py"))
	entries, _ := os.ReadDir(base)
	assert.Len(t, entries, 1, "no temporary directories are left")
}

// TestPythonAgreesWithGoOnSocketNames checks that the agent's socket
// directory and root hash are hostproto's.
func TestPythonAgreesWithGoOnSocketNames(t *testing.T) {
	dir := installedOnce(t)
	runtimeDir(t)
	root := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(root, link))
	cmd := exec.Command(python, "-c", "import sys; from pyreload_agent import sockdir as s; print(s.socket_dir()); print(s.root_hash(sys.argv[1]))", link)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	goDir, err := hostproto.SocketDir()
	require.NoError(t, err)
	assert.Equal(t, goDir+"\n"+hostproto.RootHash(root)+"\n", string(out))
}

// TestFleetNamesDifferencesAndSurvivesDeadAndHungAgents reloads through
// reload.Fleet over real agents: one holds a stale import the others lack,
// one is killed and one hangs (SIGSTOP); the hung one is cut off by the
// per-call deadline and both are reported by pid.
func TestFleetNamesDifferencesAndSurvivesDeadAndHungAgents(t *testing.T) {
	runtimeDir(t)
	root := workspace(t)
	holder := startHolder(t, root, true)
	plain := startHolder(t, root, false)
	killed := startHolder(t, root, false)
	hung := startHolder(t, root, false)
	clients := discover(t, root, 4)
	fleet := reload.NewFleet(clients...)

	require.NoError(t, killed.Process.Kill())
	killed.Wait()
	require.NoError(t, hung.Process.Signal(syscall.SIGSTOP))
	defer hung.Process.Signal(syscall.SIGCONT)
	write(t, root, "shop/views.py", "def greeting():\n    return 'v2'\n")

	start := time.Now()
	rep, err := fleet.Reload(context.Background(), reload.ReloadParams{Package: "shop", Mode: "evict", TimeoutMS: 300})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 15*time.Second, "the hung agent is cut off by its deadline")
	assert.True(t, rep.OK)
	failed := map[int]bool{}
	for _, e := range rep.Errors {
		failed[e.Process.PID] = true
	}
	assert.Equal(t, map[int]bool{killed.Process.Pid: true, hung.Process.Pid: true}, failed)
	var fromHolder int
	for _, s := range rep.Stale {
		if s.Holder == "holder" {
			fromHolder++
			require.Len(t, s.Processes, 1, "only the holder process has %s", s.Message)
			assert.Equal(t, holder.Process.Pid, s.Processes[0].PID)
		} else {
			assert.Empty(t, s.Processes, "every answering process has %s", s.Message)
		}
	}
	assert.Equal(t, 1, fromHolder, "the holder's `from shop.views import greeting` is stale: %+v", rep.Stale)
	_ = plain
}

// runtimeDir isolates the socket directory in a short temporary path
// (unix socket paths are limited to 108 bytes).
func runtimeDir(t testing.TB) {
	dir, err := os.MkdirTemp("", "prt")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
}

func workspace(t testing.TB) string {
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	write(t, root, "shop/__init__.py", "")
	write(t, root, "shop/views.py", "def greeting():\n    return 'v1'\n")
	write(t, root, "holder.py", "from shop.views import greeting\n")
	return root
}

func write(t testing.TB, root, rel, text string) {
	testbinary.WriteTree(t, root, map[string]string{rel: text})
}

// startHolder runs a plain python3 that imports shop (and holder.py when
// asked), attaches the agent and waits; it prints "ready" once serving.
func startHolder(t testing.TB, root string, withHolder bool) *exec.Cmd {
	imports := "import shop.views"
	if withHolder {
		imports += "; import holder"
	}
	script := "import sys; sys.path.insert(0, sys.argv[1]); " + imports +
		"; import pyreload_agent; pyreload_agent.start(sys.argv[1]); print('ready', flush=True); sys.stdin.read()"
	cmd := exec.Command(python, "-c", script, root)
	cmd.Dir = root // not this source tree: the installed agent must be the one imported
	cmd.Env = append(os.Environ(), "PYTHONPATH="+installedOnce(t))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	return cmd
}

var (
	onceDir  string
	onceErr  error
	onceInst sync.Once
)

func installedOnce(t testing.TB) string {
	onceInst.Do(func() {
		base, err := os.MkdirTemp("", "pyreload-agent-cache-")
		if err != nil {
			onceErr = err
			return
		}
		onceDir, onceErr = agent.Install(base)
	})
	require.NoError(t, onceErr)
	return onceDir
}

func discover(t testing.TB, root string, want int) []reload.Interpreter {
	clients, err := hostproto.Discover(root)
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, c := range clients {
			c.Close()
		}
	})
	require.Len(t, clients, want)
	out := make([]reload.Interpreter, len(clients))
	for n, c := range clients {
		require.Equal(t, "agent", c.Process().Kind)
		out[n] = c
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if onceDir != "" {
		os.RemoveAll(filepath.Dir(onceDir))
	}
	os.Exit(code)
}
