package pyhost

import (
	"fmt"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	python3 "github.com/go-python/cpy3"
)

// Options configure the Runtime. Zero values pick the defaults.
type Options struct {
	// Executable becomes sys.executable (and steers sys.prefix, so a
	// virtualenv's python works); default: python3.X beside the libpython
	// this binary is linked with.
	Executable string
	// SwitchInterval is sys.setswitchinterval; default 1 ms, so a CPU-bound
	// user thread delays a call by at most about that much (CPython's own
	// default is 5 ms).
	SwitchInterval time.Duration
	// Workers is how many OS threads may run calls at once; default 4.
	Workers int
	// CrashReports makes a crash in native code (segfault, abort) dump the
	// Python stacks to stderr and end the process with the real signal, as
	// plain python with faulthandler does. Meant for a host process: Go's
	// own handling of those signals is replaced.
	CrashReports bool
}

// Runtime is the process's embedded CPython: one per process, started
// once (reload.Interpreter is a connection to a process speaking the host
// protocol; pyhost.Runtime is what the embedded host serves it with).
type Runtime struct {
	jobs       chan *job
	main       chan *job // jobs for the main thread (CallMain)
	version    string
	executable string
	ns         *python3.PyObject // private globals of Exec and Call; GIL only
}

var (
	startMu sync.Mutex // startMu guards started.
	started *Runtime
)

// Start initialises CPython once per process and returns its Runtime.
// Later calls return the same Runtime; CPython cannot be started twice.
func Start(opts Options) (*Runtime, error) {
	startMu.Lock()
	defer startMu.Unlock()
	if started != nil {
		return started, nil
	}
	if opts.Executable == "" {
		opts.Executable = defaultExecutable()
	}
	if opts.SwitchInterval <= 0 {
		opts.SwitchInterval = time.Millisecond
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	interp := &Runtime{jobs: make(chan *job), main: make(chan *job), executable: opts.Executable}
	initErr := make(chan error, 1)
	go interp.own(opts, initErr)
	if err := <-initErr; err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	for n := 0; n < opts.Workers; n++ {
		go interp.work(ready)
		<-ready
	}
	started = interp
	return interp, nil
}

// own initialises CPython on a locked OS thread: the interpreter's main
// thread for the life of the process. It then runs the main-thread jobs
// (CallMain) with the main thread state, the GIL released in between.
func (i *Runtime) own(opts Options, initErr chan<- error) {
	runtime.LockOSThread()
	if opts.Executable != "" {
		if err := python3.Py_SetProgramName(opts.Executable); err != nil {
			initErr <- fmt.Errorf("set program name: %w", err)
			return
		}
	}
	// What python3 does at start-up, which Py_InitializeEx(false) skips: a
	// write to a closed pipe or socket, or past the file size limit, raises
	// an OSError in Python instead of killing the process.
	signal.Ignore(syscall.SIGPIPE, syscall.SIGXFSZ)
	python3.Py_InitializeEx(false) // false: leave signal handling to Go
	if !python3.Py_IsInitialized() {
		initErr <- fmt.Errorf("CPython failed to initialise")
		return
	}
	err := i.setUp(opts)
	ts := python3.PyEval_SaveThread()
	markMainThread()
	initErr <- err
	ident := threadIdent()
	for j := range i.main {
		python3.PyEval_RestoreThread(ts)
		j.run(ident)
		ts = python3.PyEval_SaveThread()
	}
}

// setUp prepares the private namespace (GIL held).
func (i *Runtime) setUp(opts Options) error {
	i.version = python3.Py_GetVersion()
	if err := makeDescriber(); err != nil {
		return err
	}
	i.ns = python3.PyDict_New()
	python3.PyDict_SetItemString(i.ns, "__builtins__", python3.PyEval_GetBuiltins())
	name := python3.PyUnicode_FromString("__pyreload_host__")
	python3.PyDict_SetItemString(i.ns, "__name__", name)
	name.DecRef()
	accel := accelModule()
	if accel == nil {
		return fetchError()
	}
	python3.PyDict_SetItemString(i.ns, "_pyreload_accel", accel)
	accel.DecRef()
	// threading, imported here first, takes this thread as its main thread.
	setup := fmt.Sprintf("import sys, threading\nsys.setswitchinterval(%g)\n", opts.SwitchInterval.Seconds())
	if opts.CrashReports {
		defaultFatalSignals()
		setup += "import faulthandler\nfaulthandler.enable(file=sys.stderr, all_threads=True)\n"
	}
	if err := execIn(i.ns, setup, "<pyhost>"); err != nil {
		return err
	}
	// As python3 starts: SIGINT means KeyboardInterrupt in the main thread,
	// raised by InterruptMain (the process-level handler stays Go's).
	if !pythonSigint() {
		return fetchError()
	}
	return nil
}

// Version is the embedded Python's version string (sys.version).
func (i *Runtime) Version() string { return i.version }

// Executable is the interpreter path given to CPython as program name.
func (i *Runtime) Executable() string { return i.executable }

// work runs jobs on one locked OS thread with a persistent thread state.
func (i *Runtime) work(ready chan<- struct{}) {
	runtime.LockOSThread()
	python3.PyGILState_Ensure() // creates this thread's state; never released
	ident := threadIdent()
	ts := python3.PyEval_SaveThread()
	ready <- struct{}{}
	for j := range i.jobs {
		python3.PyEval_RestoreThread(ts)
		j.run(ident)
		ts = python3.PyEval_SaveThread()
	}
}
