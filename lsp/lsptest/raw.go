package lsptest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/pyreload/pyreload/lsp/internal/rpc"
)

// Raw drives `pyreload serve` with hand-written frames, for malformed input.
type Raw struct {
	t    testing.TB
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	msgs chan map[string]any
	done chan int
}

// StartRaw runs the binary with args and reads its frames.
func StartRaw(t testing.TB, binary string, args ...string) *Raw {
	cmd := exec.Command(binary, args...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = &testLog{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &Raw{t: t, cmd: cmd, in: in, out: bufio.NewReader(out), msgs: make(chan map[string]any, 100), done: make(chan int, 1)}
	go func() {
		for {
			body, err := rpc.ReadFrame(r.out, rpc.DefaultMaxMessage)
			if err != nil {
				close(r.msgs)
				return
			}
			var m map[string]any
			if json.Unmarshal(body, &m) != nil {
				m = map[string]any{"invalid": string(body)}
			}
			r.msgs <- m
		}
	}()
	go func() { cmd.Wait(); r.done <- cmd.ProcessState.ExitCode() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return r
}

// Send writes one framed body.
func (r *Raw) Send(body string) {
	r.Write(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

// Write writes bytes as they are.
func (r *Raw) Write(s string) {
	if _, err := io.WriteString(r.in, s); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// Recv returns the next message from the server (notifications included).
func (r *Raw) Recv() map[string]any {
	select {
	case m, ok := <-r.msgs:
		if !ok {
			r.t.Fatal("the server closed its output")
		}
		return m
	case <-time.After(30 * time.Second):
		r.t.Fatal("no message from the server")
	}
	return nil
}

// Close closes the server's input and returns its exit code.
func (r *Raw) Close() int {
	r.in.Close()
	select {
	case c := <-r.done:
		return c
	case <-time.After(30 * time.Second):
		r.t.Fatal("the server did not exit")
	}
	return -1
}
