package hostserver

import (
	"context"
	"fmt"
	"os"
	"time"
)

type entryEnd struct {
	State string `json:"state"`
	Code  int    `json:"code"`
}

// startEntry runs the user's entry on the interpreter's main thread, as
// python3 runs a script (signal.signal, asyncio's signal handlers and
// threading.main_thread() work as there), and watches it from a goroutine.
func (h *Server) startEntry(entry string, argv []string) (any, error) {
	if argv == nil {
		argv = []string{}
	}
	var res struct {
		Started bool   `json:"started"`
		Ident   uint64 `json:"ident"`
	}
	ctx, cancel := withDefault(context.Background(), 10000)
	defer cancel()
	if err := h.callJSON(ctx, &res, "host_start_entry", entry, argv); err != nil {
		return nil, pythonError(err)
	}
	h.mu.Lock()
	h.entryID = res.Ident
	h.mu.Unlock()
	go func() {
		if _, err := h.interp.CallMain("host_run_entry"); err != nil {
			h.opts.Logf("running the entry: %v", err)
		}
	}()
	go h.watchEntry()
	return map[string]any{"started": true}, nil
}

// watchEntry waits for the entry to end; with ExitWithEntry it then waits
// for the app's non-daemon threads and exits with the app's code.
func (h *Server) watchEntry() {
	for {
		var end entryEnd
		// Each wait holds a worker thread with the GIL released; short
		// waits in a loop keep it interruptible.
		err := h.callJSON(context.Background(), &end, "host_wait_entry", "1.0")
		if err != nil {
			h.opts.Logf("waiting for the entry: %v", err)
			time.Sleep(time.Second)
			continue
		}
		if end.State == "running" {
			continue
		}
		h.mu.Lock()
		h.entryID = 0
		h.mu.Unlock()
		if !h.opts.ExitWithEntry {
			return
		}
		if end.State == "finished" {
			h.callJSON(context.Background(), nil, "join_user_threads", "-1")
		}
		h.exit(end.Code)
		return
	}
}

// entryRunning reports whether the entry has not ended yet.
func (h *Server) entryRunning() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.entryID != 0
}

// stopEntry interrupts a running entry (KeyboardInterrupt in its thread, also
// woken from a blocking call) and gives it grace to unwind.
func (h *Server) stopEntry(grace time.Duration) {
	h.mu.Lock()
	ident := h.entryID
	h.mu.Unlock()
	if ident == 0 {
		return
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !h.interp.InterruptThread(ident) {
			return // the thread is gone
		}
		h.interp.InterruptMain()
		time.Sleep(50 * time.Millisecond)
		h.mu.Lock()
		ident = h.entryID
		h.mu.Unlock()
		if ident == 0 {
			return
		}
	}
	fmt.Fprintf(os.Stderr, "pyreload: the app did not stop within %v\n", grace)
}
