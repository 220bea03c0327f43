package pyhost_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/pyhost"
)

func start(t testing.TB) *pyhost.Runtime {
	t.Helper()
	interp, err := pyhost.Start(pyhost.Options{})
	require.NoError(t, err)
	return interp
}

func TestExecAndCall(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, "def greet(a, b):\n    return a + ', ' + b\n", "<test>"))
	out, err := interp.Call(ctx, "greet", "hello", "world")
	require.NoError(t, err)
	assert.Equal(t, "hello, world", out)
	assert.True(t, strings.HasPrefix(interp.Version(), "3."), interp.Version())
}

func TestExecutableIsTheRealInterpreter(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, "import sys\ndef exe():\n    return sys.executable\n", "<test>"))
	exe, err := interp.Call(ctx, "exe")
	require.NoError(t, err)
	require.NotEmpty(t, exe)
	out, err := exec.Command(exe, "-c", "import sys; print(sys.version)").Output()
	require.NoError(t, err, "sys.executable %s must run", exe)
	assert.Equal(t, strings.TrimSpace(string(out)), interp.Version())
}

func TestExceptionKeepsTypeMessageTraceback(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, "def boom(x):\n    raise ValueError('bad ' + x)\n", "boom.py"))
	_, err := interp.Call(ctx, "boom", "input")
	var pe *pyhost.PyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "ValueError", pe.Type)
	assert.Equal(t, "bad input", pe.Message)
	assert.Equal(t, "boom.py", pe.File)
	assert.Equal(t, 2, pe.Line)
	assert.Contains(t, fmt.Sprintf("%+v", err), "Traceback (most recent call last)")
}

func TestSyntaxErrorLocation(t *testing.T) {
	interp := start(t)
	err := interp.Exec(context.Background(), "x = 1\ndef broken(:\n", "broken.py")
	var pe *pyhost.PyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "SyntaxError", pe.Type)
	assert.Equal(t, 2, pe.Line)
	assert.Positive(t, pe.Column)
}

func TestSystemExitIsAnErrorNotAnExit(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	err := interp.Exec(ctx, "raise SystemExit(3)\n", "exit.py")
	var pe *pyhost.PyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "SystemExit", pe.Type)
	assert.Equal(t, "3", pe.Message)
	// Still alive and usable.
	require.NoError(t, interp.Exec(ctx, "def ok():\n    return 'alive'\n", "<test>"))
	out, err := interp.Call(ctx, "ok")
	require.NoError(t, err)
	assert.Equal(t, "alive", out)
}

// TestBrokenPipeIsAnErrorNotADeath: as under python3, a write to a pipe
// whose reader is gone raises BrokenPipeError (SIGPIPE is ignored), also in
// a thread Python started (Go does not handle signals on threads it did not
// create).
func TestBrokenPipeIsAnErrorNotADeath(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, `
import os, threading
def write_to_closed_pipe():
    seen = []
    def write():
        r, w = os.pipe()
        os.close(r)
        try:
            os.write(w, b"x")
            seen.append("written")
        except BrokenPipeError:
            seen.append("BrokenPipeError")
        finally:
            os.close(w)
    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    return seen[0]
`, "<test>"))
	out, err := interp.Call(ctx, "write_to_closed_pipe")
	require.NoError(t, err)
	assert.Equal(t, "BrokenPipeError", out)
}

func TestDeadlineInterruptsRunawayLoop(t *testing.T) {
	interp := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := interp.Exec(ctx, "while True:\n    pass\n", "spin.py")
	require.Error(t, err)
	assert.True(t, errors.Is(err, pyhost.ErrDeadline), "%v", err)
	assert.Contains(t, err.Error(), "spin.py")
	// The interpreter stays usable and no interrupt leaks into the next call.
	for n := 0; n < 20; n++ {
		require.NoError(t, interp.Exec(context.Background(), "x = sum(range(10000))\n", "<after>"))
	}
}

func TestDeadlineEvenWhenUserCatchesException(t *testing.T) {
	interp := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	src := "import time\nn = 0\nwhile n < 3:\n    try:\n        while True:\n            pass\n    except BaseException:\n        n += 1\n"
	err := interp.Exec(ctx, src, "stubborn.py")
	// The first interrupts are swallowed; repeated ones still get it out,
	// and the call is reported as past its deadline.
	require.ErrorIs(t, err, pyhost.ErrDeadline)
}

// TestUserThreadsServeWhileGoCalls runs a ThreadingHTTPServer inside the
// interpreter and calls into Python from many goroutines at once.
func TestUserThreadsServeWhileGoCalls(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	src := `
import http.server, threading, urllib.request
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"pong"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
def port():
    return str(srv.server_address[1])
def fetch(port):
    return urllib.request.urlopen("http://127.0.0.1:%s/" % port, timeout=5).read().decode()
def stop():
    srv.shutdown()
    return "stopped"
`
	require.NoError(t, interp.Exec(ctx, src, "server.py"))
	port, err := interp.Call(ctx, "port")
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 10; n++ {
				out, err := interp.Call(ctx, "fetch", port)
				if err != nil || out != "pong" {
					errs <- fmt.Errorf("fetch: %q %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, err = interp.Call(ctx, "stop")
	require.NoError(t, err)
}

func TestLockedThreadCalls(t *testing.T) {
	interp := start(t)
	require.NoError(t, interp.Exec(context.Background(), "import threading\ndef ident():\n    return str(threading.get_ident())\n", "<t>"))
	th := interp.LockThread()
	a, err := th.Call("ident")
	require.NoError(t, err)
	b, err := th.Call("ident")
	require.NoError(t, err)
	th.Close()
	assert.Equal(t, a, b, "calls of one Thread run on one OS thread")
	_, err = interp.Call(context.Background(), "ident")
	require.NoError(t, err, "workers still run after a Thread is closed")
}

// TestProfilingAfterAnInterrupt: an interrupt must leave no pending state
// behind; a profile function set afterwards used to spin forever at the
// next function entry.
func TestProfilingAfterAnInterrupt(t *testing.T) {
	interp := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, interp.Exec(ctx, "while True:\n    pass\n", "spin.py"), pyhost.ErrDeadline)
	src := "import sys\ndef f():\n    return 1\ndef profiled():\n    seen = []\n    sys.setprofile(lambda fr, ev, arg: seen.append(ev))\n    f()\n    sys.setprofile(None)\n    return str(len(seen))\n"
	require.NoError(t, interp.Exec(context.Background(), src, "<prof>"))
	for n := 0; n < 8; n++ { // reach every worker thread
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := interp.Call(ctx, "profiled")
		cancel()
		require.NoError(t, err)
		assert.NotEqual(t, "0", out)
	}
}

// TestAccelInstancesOf checks the C heap filter against a pure-Python
// filter of gc.get_objects(): same objects, exact types only.
func TestAccelInstancesOf(t *testing.T) {
	interp := start(t)
	src := `import gc
class A: pass
class B(A): pass
class C: pass
keep = [A() for _ in range(1000)] + [B() for _ in range(500)] + [C() for _ in range(10)] + [[A()] for _ in range(5)]
def compare():
    types = {A, C}
    fast = _pyreload_accel.instances_of(types)
    slow = [o for o in gc.get_objects() if type(o) in types]
    same = {id(o) for o in fast} == {id(o) for o in slow}
    tuple_arg = len(_pyreload_accel.instances_of((A, C))) == len(fast)
    return "%d %d %s %s" % (len(fast), len(slow), same, tuple_arg)
`
	require.NoError(t, interp.Exec(context.Background(), src, "<accel>"))
	out, err := interp.Call(context.Background(), "compare")
	require.NoError(t, err)
	assert.Equal(t, "1015 1015 True True", out)
}

// TestCallMainRunsOnPythonsMainThread: CallMain runs where Python's main
// thread is, so what only works there works: signal.signal, asyncio's
// signal handlers, threading.main_thread(). Call runs elsewhere.
func TestCallMainRunsOnPythonsMainThread(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, `
import asyncio, signal, threading
def on_main():
    signal.signal(signal.SIGUSR1, lambda *a: None)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    async def handlers():
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, lambda: None)
    asyncio.run(handlers())
    return str(threading.current_thread() is threading.main_thread())
`, "<test>"))
	out, err := interp.CallMain("on_main")
	require.NoError(t, err)
	assert.Equal(t, "True", out)
	_, err = interp.Call(ctx, "on_main")
	var pe *pyhost.PyError
	require.ErrorAs(t, err, &pe, "a worker thread is not the main thread")
	assert.Contains(t, pe.Message, "main thread")
}

// TestInterruptMainWakesABlockingCall: like Ctrl-C under python3, the main
// thread gets KeyboardInterrupt even inside a long sleep.
func TestInterruptMainWakesABlockingCall(t *testing.T) {
	interp := start(t)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, `
import threading, time
sleeping = threading.Event()
def sleep_long():
    try:
        sleeping.set()
        time.sleep(120)
    except KeyboardInterrupt:
        return "interrupted"
    return "slept"
def is_sleeping():
    return str(sleeping.is_set())
`, "<test>"))
	go func() {
		for {
			out, err := interp.Call(ctx, "is_sleeping")
			if err == nil && out == "True" {
				interp.InterruptMain()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	out, err := interp.CallMain("sleep_long")
	require.NoError(t, err)
	assert.Equal(t, "interrupted", out)
}
