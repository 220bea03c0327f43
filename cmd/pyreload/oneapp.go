package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// One app per root: an editor's language server runs its own host for a
// root (which may run the app's entry) until a `pyreload run` of that root
// starts. Run then asks the server's host to step aside, and the server
// reloads into the run's interpreter instead (reload/session/oneapp.go): never two
// copies of the app fighting over a port.

// makeWay asks the language servers' hosts of root to step aside for this
// run and waits until they are gone; it tells the user which did.
func makeWay(root string, stderr io.Writer) {
	clients, err := hostproto.Discover(root)
	if err != nil {
		return
	}
	for _, c := range clients {
		var pong struct {
			Role string `json:"role"`
			PID  int    `json:"pid"`
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := c.Call(ctx, "ping", nil, &pong)
		if err == nil && pong.Role == "serve" {
			err = c.Call(ctx, "shutdown", map[string]any{"step_aside": true}, nil)
			if err == nil {
				fmt.Fprintf(stderr, "pyreload run: the editor's interpreter of %s (pid %d) steps aside for this run; the editor reloads into it from now on\n", root, pong.PID)
				waitGone(pong.PID, 10*time.Second)
			}
		}
		cancel()
		c.Close()
	}
}

// waitGone waits until no live interpreter of this user answers as pid,
// so that what it held (ports, files) is released.
func waitGone(pid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && processAlive(pid) {
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive reports whether process pid exists.
func processAlive(pid int) bool {
	return unix.Kill(pid, 0) != unix.ESRCH
}
