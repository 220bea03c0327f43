package pyhost

import (
	"context"
	"fmt"
	"sync/atomic"

	python3 "github.com/go-python/cpy3"
)

// formatSource turns the current exception into fields; run with the GIL in
// the private namespace's builtins so it never touches user modules.
const formatSource = `
def _pyhost_describe(t, v, tb):
    import traceback
    # The type's name as Python's traceback prints it (the engine's
    # failure.type_name, the rule once the host set it: SetDescriber).
    mod = getattr(t, "__module__", None)
    name = t.__qualname__ if mod in ("builtins", "__main__") or not isinstance(mod, str) else mod + "." + t.__qualname__
    text = "".join(traceback.format_exception(t, v, tb))
    file, line, col = None, 0, 0
    if isinstance(v, SyntaxError):
        file, line, col = v.filename, v.lineno or 0, v.offset or 0
    elif tb is not None:
        last = traceback.extract_tb(tb)[-1]
        file, line = last.filename, last.lineno or 0
    try:
        msg = str(v)
    except BaseException:
        msg = "<unprintable %s>" % name
    return (name, msg, text, file or "", line, col)
`

// fetchError takes the pending Python exception (GIL held) as a *PyError.
// It never calls PyErr_Print, so SystemExit cannot end the process here.
func fetchError() error {
	t, v, tb := python3.PyErr_Fetch()
	if t == nil {
		return &PyError{Type: "SystemError", Message: "an error was signalled without an exception"}
	}
	t, v, tb = python3.PyErr_NormalizeException(t, v, tb)
	defer t.DecRef()
	if v != nil {
		defer v.DecRef()
	} else {
		v = python3.Py_None
	}
	if tb != nil {
		defer tb.DecRef()
	} else {
		tb = python3.Py_None
	}
	e := &PyError{Type: typeQualname(t), Message: "(could not format the exception)"}
	res := describe(t, v, tb)
	if res == nil {
		return e
	}
	defer res.DecRef()
	e.Type = str(python3.PyTuple_GetItem(res, 0))
	e.Message = str(python3.PyTuple_GetItem(res, 1))
	e.Traceback = str(python3.PyTuple_GetItem(res, 2))
	e.File = str(python3.PyTuple_GetItem(res, 3))
	e.Line = python3.PyLong_AsLong(python3.PyTuple_GetItem(res, 4))
	e.Column = python3.PyLong_AsLong(python3.PyTuple_GetItem(res, 5))
	return e
}

// drainSource consumes an interrupt that arrived after its call finished:
// the pending KeyboardInterrupt is raised at _noop's entry and caught.
const drainSource = `
def _pyhost_noop():
    pass

def _pyhost_drain():
    for _ in range(3):
        try:
            _pyhost_noop()
            return
        except KeyboardInterrupt:
            pass
`

// drainFn is _pyhost_drain, made once by setUp; used with the GIL.
var drainFn *python3.PyObject

// drainInterrupt consumes a pending asynchronous exception (GIL held).
func drainInterrupt() {
	if drainFn == nil {
		return
	}
	if res := drainFn.CallObject(nil); res != nil {
		res.DecRef()
	}
	python3.PyErr_Clear()
}

// describe calls the describer set by SetDescriber, else (or when it
// raises) _pyhost_describe; it returns the fields' tuple or nil (GIL held).
func describe(t, v, tb *python3.PyObject) *python3.PyObject {
	for _, fn := range []*python3.PyObject{hostDescribeFn.Load(), describeFn} {
		if fn == nil {
			continue
		}
		if res := fn.CallFunctionObjArgs(t, v, tb); res != nil {
			if python3.PyTuple_Check(res) && python3.PyTuple_Size(res) == 6 {
				return res
			}
			res.DecRef()
		}
		python3.PyErr_Clear()
	}
	return nil
}

// describeFn is _pyhost_describe, made once by setUp; used with the GIL.
var describeFn *python3.PyObject

// hostDescribeFn is the describer SetDescriber chose (nil: describeFn's
// own rule); atomic because the GIL orders its users, not Go's memory model.
var hostDescribeFn atomic.Pointer[python3.PyObject]

// SetDescriber makes the function name of the private namespace describe
// every exception a call raises from now on, as _pyhost_describe does:
// called with (type, value, traceback), it returns the tuple (type name,
// message, traceback text, file, line, column). The host sets the engine's
// rule this way once the engine is loaded (pyhost never imports the
// engine); if it raises, or answers anything else, pyhost's own rule
// describes the exception. An empty name goes back to pyhost's own rule.
func (i *Runtime) SetDescriber(ctx context.Context, name string) error {
	return i.do(ctx, func() error {
		if name == "" {
			if old := hostDescribeFn.Swap(nil); old != nil {
				old.DecRef()
			}
			return nil
		}
		fn := python3.PyDict_GetItemString(i.ns, name) // borrowed
		if fn == nil || !python3.PyCallable_Check(fn) {
			return fmt.Errorf("pyhost: no function %q in the host namespace", name)
		}
		fn.IncRef()
		if old := hostDescribeFn.Swap(fn); old != nil {
			old.DecRef()
		}
		return nil
	})
}

// makeDescriber defines _pyhost_describe in a namespace of its own.
func makeDescriber() error {
	ns := python3.PyDict_New()
	defer ns.DecRef()
	python3.PyDict_SetItemString(ns, "__builtins__", python3.PyEval_GetBuiltins())
	if err := execRaw(ns, formatSource+drainSource); err != nil {
		return err
	}
	drainFn = python3.PyDict_GetItemString(ns, "_pyhost_drain")
	drainFn.IncRef()
	describeFn = python3.PyDict_GetItemString(ns, "_pyhost_describe")
	describeFn.IncRef()
	return nil
}

// execRaw runs trusted source without error formatting (GIL held).
func execRaw(globals *python3.PyObject, source string) error {
	builtins := python3.PyEval_GetBuiltins()
	exec := python3.PyDict_GetItemString(builtins, "exec")
	src := python3.PyUnicode_FromString(source)
	defer src.DecRef()
	res := exec.CallFunctionObjArgs(src, globals)
	if res == nil {
		python3.PyErr_Clear()
		return &PyError{Type: "SystemError", Message: "pyhost bootstrap failed"}
	}
	res.DecRef()
	return nil
}

func str(o *python3.PyObject) string {
	if o == nil || !python3.PyUnicode_Check(o) {
		return ""
	}
	return python3.PyUnicode_AsUTF8(o)
}

func typeQualname(t *python3.PyObject) string {
	n := t.GetAttrString("__qualname__")
	if n == nil {
		python3.PyErr_Clear()
		return "Exception"
	}
	defer n.DecRef()
	return str(n)
}
