package hostproto

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// When an interpreter dies during a call, its client says so, and how, as
// its parent saw it: the parent (pyreload run, the language server) leaves
// a death note, <roothash>-<pid>.died beside where the socket was, that the
// client reads. Notes older than deathNoteAge are removed by the next one.

const deathNoteAge = 10 * time.Minute

// DiedError is a call whose interpreter process ended before answering.
type DiedError struct {
	Process reload.Process
	Method  string
	How     string // as the parent saw it, e.g. "was killed by SIGSEGV (...)"; "" when unknown
}

func (e *DiedError) Error() string {
	if e.How != "" {
		return fmt.Sprintf("died during %s: it %s", e.Method, e.How)
	}
	return fmt.Sprintf("died during %s (the process is gone)", e.Method)
}

// Unwrap makes a DiedError an ErrClosed too.
func (e *DiedError) Unwrap() error { return ErrClosed }

// WriteDeathNote records how the interpreter pid of root died.
func WriteDeathNote(root string, pid int, how string) error {
	dir, err := SocketDir()
	if err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.died"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > deathNoteAge {
			os.Remove(p)
		}
	}
	return os.WriteFile(deathNotePath(SocketPath(dir, root, pid)), []byte(how+"\n"), 0o600)
}

func deathNotePath(socket string) string {
	return strings.TrimSuffix(socket, ".sock") + ".died"
}

// diedError returns a *DiedError when the connection closed because the
// interpreter's local process ended, else err.
func (c *Client) diedError(method string, err error) error {
	if _, local := c.conn.(*net.UnixConn); !local || c.process.PID <= 0 || errors.Is(err, errClosedHere) {
		return err
	}
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(c.process.PID, 0) != syscall.ESRCH {
		if time.Now().After(deadline) {
			return err // it closed the connection but lives
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := &DiedError{Process: c.process, Method: method}
	note := deathNotePath(c.process.Socket)
	for wait := 0; wait < 25; wait++ { // the parent writes it once it has reaped the process
		if b, err := os.ReadFile(note); err == nil {
			d.How = strings.TrimSpace(string(b))
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d
}
