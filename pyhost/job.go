package pyhost

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	python3 "github.com/go-python/cpy3"
)

// job is one function run with the GIL held on a worker thread.
type job struct {
	fn   func() error
	done chan error

	ident       atomic.Uint64 // the worker thread's ident while it runs
	finished    atomic.Bool   // set with the GIL held, before clearing interrupts
	interrupted atomic.Bool
	panicked    any
}

// run executes the job (GIL held) and clears any interrupt aimed at it.
func (j *job) run(ident uint64) {
	j.ident.Store(ident)
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				j.panicked = p
				err = fmt.Errorf("panic in python call: %v", p)
			}
		}()
		err = j.fn()
	}()
	j.finished.Store(true)
	if asyncPending() {
		drainInterrupt()
	}
	if python3.PyErr_Occurred() != nil {
		python3.PyErr_Clear()
	}
	j.done <- err
}

// interruptGrace is how long a call past its deadline gets to unwind.
const interruptGrace = 2 * time.Second

// do runs fn with the GIL held on a worker. When ctx ends first, the call is
// interrupted (KeyboardInterrupt raised asynchronously in its thread) and
// ErrDeadline returned; the worker is reused once the call unwinds.
func (i *Runtime) do(ctx context.Context, fn func() error) error {
	if i == nil {
		return ErrNotStarted
	}
	j := &job{fn: fn, done: make(chan error, 1)}
	select {
	case i.jobs <- j:
	case <-ctx.Done():
		return fmt.Errorf("%w (waiting for a free interpreter thread)", ErrDeadline)
	}
	select {
	case err := <-j.done:
		return j.result(err)
	case <-ctx.Done():
	}
	// Interrupting needs the GIL, which the runaway code (or a C call that
	// keeps it) may hold: keep trying from another goroutine, and give up
	// waiting after the grace period whatever happens.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			interrupt(j)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	select {
	case err := <-j.done:
		return j.result(err)
	case <-time.After(interruptGrace):
		return fmt.Errorf("%w; the call did not stop within %v and still runs", ErrDeadline, interruptGrace)
	}
}

func (j *job) result(err error) error {
	if j.panicked != nil {
		panic(j.panicked)
	}
	if j.interrupted.Load() {
		if pe, ok := err.(*PyError); ok {
			return fmt.Errorf("%w\n%s", ErrDeadline, pe.Traceback)
		}
		if err == nil {
			// It caught the interrupt and returned: still too late, and
			// what it returned may describe the interrupt, not its work.
			return ErrDeadline
		}
		return fmt.Errorf("%w: %v", ErrDeadline, err)
	}
	return err
}

// interrupt raises KeyboardInterrupt in the job's thread if it still runs.
func interrupt(j *job) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	g := python3.PyGILState_Ensure()
	defer python3.PyGILState_Release(g)
	if ident := j.ident.Load(); ident != 0 && !j.finished.Load() {
		if interruptThread(ident) > 0 {
			j.interrupted.Store(true)
		}
	}
}

// InterruptThread raises KeyboardInterrupt in the Python thread ident (as
// threading.get_ident() names it), e.g. to stop the user's app cleanly.
func (i *Runtime) InterruptThread(ident uint64) bool {
	j := &job{}
	j.ident.Store(ident)
	interrupt(j)
	return j.interrupted.Load()
}
