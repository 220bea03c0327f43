package rpc

import (
	"runtime/debug"
	"sync/atomic"
)

// BigMessage is the size from which a message's memory is given back to
// the system once it is handled: Go would otherwise keep the heap it grew
// to (five times a 50 MB message) until its next collection, which an idle
// server may not run for minutes.
const BigMessage = 4 << 20

// releaseState is 0 when no release runs, 1 when one runs, 2 when another
// is wanted after it.
var releaseState atomic.Int32

// ReleaseMemory collects garbage and returns free memory to the system, off
// the caller's goroutine; calls while one runs make one more run after it.
func ReleaseMemory() {
	for {
		s := releaseState.Load()
		if s == 2 {
			return
		}
		if releaseState.CompareAndSwap(s, s+1) {
			if s == 0 {
				go releaseLoop()
			}
			return
		}
	}
}

func releaseLoop() {
	for {
		debug.FreeOSMemory()
		if releaseState.CompareAndSwap(1, 0) {
			return
		}
		releaseState.Store(1)
	}
}
