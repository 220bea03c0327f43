package pyhost

import (
	"context"
	"fmt"

	python3 "github.com/go-python/cpy3"
)

// Exec runs Python source in the host's private namespace (not __main__,
// not in sys.modules). filename appears in tracebacks.
func (i *Runtime) Exec(ctx context.Context, source, filename string) error {
	return i.do(ctx, func() error { return execIn(i.ns, source, filename) })
}

// Call calls the function name of the private namespace with string
// arguments; it must return a str.
func (i *Runtime) Call(ctx context.Context, name string, args ...string) (string, error) {
	var out string
	err := i.do(ctx, func() (err error) {
		out, err = i.callLocked(name, args)
		return err
	})
	return out, err
}

// callLocked calls ns[name](*args) with the GIL held.
func (i *Runtime) callLocked(name string, args []string) (string, error) {
	fn := python3.PyDict_GetItemString(i.ns, name) // borrowed
	if fn == nil {
		return "", fmt.Errorf("pyhost: no function %q in the host namespace", name)
	}
	tuple := python3.PyTuple_New(len(args))
	defer tuple.DecRef()
	for n, a := range args {
		python3.PyTuple_SetItem(tuple, n, python3.PyUnicode_FromString(a)) // steals
	}
	res := fn.CallObject(tuple)
	if res == nil {
		return "", fetchError()
	}
	defer res.DecRef()
	if !python3.PyUnicode_Check(res) {
		return "", fmt.Errorf("pyhost: %s returned %s, not str", name, typeName(res))
	}
	return python3.PyUnicode_AsUTF8(res), nil
}

// execIn compiles and runs source in globals (GIL held).
func execIn(globals *python3.PyObject, source, filename string) error {
	builtins := python3.PyEval_GetBuiltins() // borrowed
	compile := python3.PyDict_GetItemString(builtins, "compile")
	exec := python3.PyDict_GetItemString(builtins, "exec")
	src, name, mode := python3.PyUnicode_FromString(source), python3.PyUnicode_FromString(filename), python3.PyUnicode_FromString("exec")
	defer src.DecRef()
	defer name.DecRef()
	defer mode.DecRef()
	code := compile.CallFunctionObjArgs(src, name, mode)
	if code == nil {
		return fetchError()
	}
	defer code.DecRef()
	res := exec.CallFunctionObjArgs(code, globals)
	if res == nil {
		return fetchError()
	}
	res.DecRef()
	return nil
}

func typeName(o *python3.PyObject) string {
	t := o.Type()
	defer t.DecRef()
	n := t.GetAttrString("__qualname__")
	if n == nil {
		python3.PyErr_Clear()
		return "?"
	}
	defer n.DecRef()
	return python3.PyUnicode_AsUTF8(n)
}

// CallMain is Call on the interpreter's main thread: the thread that
// initialised CPython, which Python treats as its main thread
// (threading.main_thread(), signal.signal, asyncio's signal handlers). It
// has no deadline; main-thread calls run one at a time.
func (i *Runtime) CallMain(name string, args ...string) (string, error) {
	if i == nil {
		return "", ErrNotStarted
	}
	var out string
	j := &job{done: make(chan error, 1)}
	j.fn = func() (err error) {
		out, err = i.callLocked(name, args)
		return err
	}
	i.main <- j
	return out, j.result(<-j.done)
}

// InterruptMain does to the main thread what Ctrl-C does to python3: its
// SIGINT handler runs there (KeyboardInterrupt, unless the app installed its
// own), and a blocking call it is in (a sleep, a read of the terminal)
// returns early so that the handler runs now. Safe from any goroutine.
func (i *Runtime) InterruptMain() { interruptMain() }
