package supervise_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/supervise"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// crashes is a module of ways user code ends or abuses a process.
const crashes = `import ctypes, os, sys, threading
def segv():
    print("about to segfault", file=sys.stderr, flush=True)
    ctypes.string_at(0)
def exit3():
    os._exit(3)
def abort():
    os.abort()
def sysexit():
    sys.exit(7)
def noisy():
    print("not json {{{")
    os.write(1, b"raw bytes on fd 1\n")
    return "printed"
def exit_in_thread():
    t = threading.Thread(target=sys.exit, args=(9,))
    t.start(); t.join()
    return "still here"
`

func startHost(t *testing.T, files map[string]string, opts supervise.Options) (*supervise.Host, *testbinary.SyncBuffer) {
	t.Helper()
	root := testbinary.Workspace(t, files)
	var stderr testbinary.SyncBuffer
	opts.Root, opts.Exe, opts.Stderr = root, testbinary.Path(t), &stderr
	h, err := supervise.Start(context.Background(), opts)
	require.NoError(t, err, stderr.String())
	t.Cleanup(func() { h.Stop() })
	return h, &stderr
}

func call(t *testing.T, h *supervise.Host, method string, params, result any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return h.Interpreter().Call(ctx, method, params, result)
}

func waitExit(t *testing.T, h *supervise.Host) supervise.Exit {
	t.Helper()
	select {
	case e := <-h.Exited():
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("host death not noticed")
	}
	return supervise.Exit{}
}

func TestStatusAndStop(t *testing.T) {
	h, _ := startHost(t, map[string]string{"shop/__init__.py": "X = 1\n"}, supervise.Options{HostOptions: hostproto.HostOptions{Imports: []string{"shop"}}})
	var st reload.Status
	require.NoError(t, call(t, h, "status", nil, &st))
	assert.Equal(t, h.PID(), st.PID)
	assert.Equal(t, "host", st.Kind)
	assert.Regexp(t, `^3\.\d+\.\d+$`, st.Python)
	assert.FileExists(t, st.Executable)
	assert.Positive(t, st.Modules)
	assert.Empty(t, st.StartupFailures)
	require.NoError(t, h.Stop())
	e := waitExit(t, h)
	assert.True(t, e.Expected, e.String())
	assert.Equal(t, 0, e.Code)
}

func TestStartupImportFailureIsReported(t *testing.T) {
	h, _ := startHost(t, map[string]string{"bad/__init__.py": "x = 1\nraise RuntimeError('broken at start')\n"},
		supervise.Options{HostOptions: hostproto.HostOptions{Imports: []string{"bad"}}})
	var st reload.Status
	require.NoError(t, call(t, h, "status", nil, &st))
	require.Len(t, st.StartupFailures, 1)
	f := st.StartupFailures[0]
	assert.Equal(t, "RuntimeError", f.Type)
	assert.Equal(t, 2, f.Line)
	assert.Contains(t, f.File, filepath.Join("bad", "__init__.py"))
}

func TestCrashesAreDetectedAndExplained(t *testing.T) {
	for _, tc := range []struct {
		fn, signal, says string
		code             int
	}{
		{fn: "segv", signal: "SIGSEGV", says: "in segv", code: -1},
		{fn: "abort", signal: "SIGABRT", says: "in abort", code: -1},
		{fn: "exit3", code: 3},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			h, _ := startHost(t, map[string]string{"crashes.py": crashes}, supervise.Options{})
			pid := h.PID()
			err := call(t, h, "call", map[string]any{"target": "crashes:" + tc.fn}, nil)
			require.Error(t, err, "the call cannot answer: the process is gone")
			e := waitExit(t, h)
			assert.Equal(t, pid, e.PID)
			assert.Equal(t, tc.signal, e.Signal)
			assert.Equal(t, tc.code, e.Code)
			assert.False(t, e.Expected)
			if tc.says != "" {
				assert.Contains(t, e.String(), tc.says)
			}
			// Restart gives a working host again.
			require.NoError(t, h.Restart(context.Background()))
			assert.NotEqual(t, pid, h.PID())
			require.NoError(t, call(t, h, "ping", nil, nil))
		})
	}
}

func TestKilledHostIsDetected(t *testing.T) {
	h, _ := startHost(t, nil, supervise.Options{})
	p, err := os.FindProcess(h.PID())
	require.NoError(t, err)
	require.NoError(t, p.Kill()) // what the OOM killer does
	e := waitExit(t, h)
	assert.Equal(t, "SIGKILL", e.Signal)
	assert.Contains(t, e.String(), "out-of-memory")
}

func TestSystemExitNeverEndsTheHost(t *testing.T) {
	h, _ := startHost(t, map[string]string{"crashes.py": crashes}, supervise.Options{})
	err := call(t, h, "call", map[string]any{"target": "crashes:sysexit"}, nil)
	var re *hostproto.RemoteError
	require.ErrorAs(t, err, &re)
	require.NotNil(t, re.Failure)
	assert.Equal(t, "SystemExit", re.Failure.Type)
	var out struct{ Value string }
	require.NoError(t, call(t, h, "call", map[string]any{"target": "crashes:exit_in_thread"}, &out))
	assert.Equal(t, "still here", out.Value)
	require.NoError(t, call(t, h, "ping", nil, nil))
}

func TestUserOutputNeverCorruptsTheProtocol(t *testing.T) {
	h, stderr := startHost(t, map[string]string{"crashes.py": crashes}, supervise.Options{})
	var out struct{ Value string }
	for n := 0; n < 5; n++ {
		require.NoError(t, call(t, h, "call", map[string]any{"target": "crashes:noisy"}, &out))
		assert.Equal(t, "printed", out.Value)
	}
	require.Eventually(t, func() bool { return bytes.Contains([]byte(stderr.String()), []byte("raw bytes on fd 1")) },
		5*time.Second, 20*time.Millisecond, "user output goes to the host's log stream")
}

func TestRunawayImportIsInterrupted(t *testing.T) {
	h, _ := startHost(t, map[string]string{"spin.py": "while True:\n    pass\n"}, supervise.Options{})
	err := call(t, h, "import", map[string]any{"modules": []string{"spin"}, "timeout_ms": 300}, nil)
	var re *hostproto.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostproto.CodeDeadline, re.Code)
	var st reload.Status
	require.NoError(t, call(t, h, "status", nil, &st), "the host stays usable")
}

func TestStatusAnswersWhileUserCodeHoldsTheInterpreter(t *testing.T) {
	// time.sleep in a C call that keeps the GIL: ctypes' pythonapi functions
	// hold it, so a blocking libc sleep through them starves every thread.
	src := "import ctypes, threading, time\nlibc = ctypes.PyDLL(None)\ndef later():\n    time.sleep(0.3)\n    libc.sleep(9)\ndef hog():\n    threading.Thread(target=later, daemon=True).start()\n    return 'started'\n"
	h, _ := startHost(t, map[string]string{"hog.py": src}, supervise.Options{})
	var out struct{ Value string }
	require.NoError(t, call(t, h, "call", map[string]any{"target": "hog:hog"}, &out))
	time.Sleep(600 * time.Millisecond)
	var st reload.Status
	require.NoError(t, call(t, h, "status", nil, &st))
	assert.True(t, st.Busy, "%+v", st)
	assert.Equal(t, h.PID(), st.PID)
}

func TestEngineCodeCacheSurvivesCorruption(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	h, _ := startHost(t, nil, supervise.Options{})
	require.NoError(t, h.Stop())
	files, err := filepath.Glob(filepath.Join(cache, "pyreload", "engine-code", "*.code"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "the first start fills the cache")
	for _, f := range files {
		require.NoError(t, os.WriteFile(f, []byte("not marshal data"), 0o600))
	}
	h2, _ := startHost(t, nil, supervise.Options{})
	var st reload.Status
	require.NoError(t, call(t, h2, "status", nil, &st), "a corrupt cache is recompiled, never fatal")
}
