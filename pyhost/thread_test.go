package pyhost

import (
	"runtime"

	python3 "github.com/go-python/cpy3"
)

// Thread is the calling goroutine's own OS thread, locked and given a
// persistent Python thread state, so that each call only takes and
// releases the GIL (no hand-off to a worker). Only the tests and the
// benchmarks use it: they measure a call without the worker hand-off. A
// Thread must be used from the goroutine that made it, and closed there.
type Thread struct {
	rt  *Runtime
	ts  *python3.PyThreadState
	gil python3.PyGILState
}

// LockThread locks the calling goroutine to its OS thread and prepares it.
func (i *Runtime) LockThread() *Thread {
	runtime.LockOSThread()
	gil := python3.PyGILState_Ensure()
	return &Thread{rt: i, gil: gil, ts: python3.PyEval_SaveThread()}
}

// Call is Runtime.Call on this thread, without a deadline.
func (t *Thread) Call(name string, args ...string) (string, error) {
	python3.PyEval_RestoreThread(t.ts)
	defer func() { t.ts = python3.PyEval_SaveThread() }()
	return t.rt.callLocked(name, args)
}

// Close releases the thread state and unlocks the OS thread.
func (t *Thread) Close() {
	python3.PyEval_RestoreThread(t.ts)
	python3.PyGILState_Release(t.gil)
	runtime.UnlockOSThread()
}
