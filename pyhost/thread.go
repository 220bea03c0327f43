package pyhost

import (
	"runtime"

	python3 "github.com/go-python/cpy3"
)

// Thread is the calling goroutine's own OS thread, locked and given a
// persistent Python thread state, for callers that make many short calls:
// each call then only takes and releases the GIL (no hand-off to a worker).
// A Thread must be used from the goroutine that made it, and closed there.
type Thread struct {
	interp *Interpreter
	ts     *python3.PyThreadState
	gil    python3.PyGILState
}

// LockThread locks the calling goroutine to its OS thread and prepares it.
func (i *Interpreter) LockThread() *Thread {
	runtime.LockOSThread()
	gil := python3.PyGILState_Ensure()
	return &Thread{interp: i, gil: gil, ts: python3.PyEval_SaveThread()}
}

// Call is Interpreter.Call on this thread, without a deadline.
func (t *Thread) Call(name string, args ...string) (string, error) {
	python3.PyEval_RestoreThread(t.ts)
	defer func() { t.ts = python3.PyEval_SaveThread() }()
	return t.interp.callLocked(name, args)
}

// Close releases the thread state and unlocks the OS thread.
func (t *Thread) Close() {
	python3.PyEval_RestoreThread(t.ts)
	python3.PyGILState_Release(t.gil)
	runtime.UnlockOSThread()
}
