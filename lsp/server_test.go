package lsp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tliron/commonlog"

	"github.com/pyreload/pyreload/lsp"
	"github.com/pyreload/pyreload/lsp/internal/rpc"
)

// pipeServer runs an in-process server with no workspace folder (so no
// interpreter is started) and talks raw frames to it.
type pipeServer struct {
	in   *io.PipeWriter
	out  *bufio.Reader
	done chan int
}

func startPipe(t testing.TB) *pipeServer {
	commonlog.SetMaxLevel(commonlog.None)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	p := &pipeServer{in: inW, out: bufio.NewReader(outR), done: make(chan int, 1)}
	go func() {
		// A folder added by a fuzzed message must not start real hosts.
		p.done <- lsp.New(lsp.Options{Exe: "/nonexistent/pyreload"}).Run(inR, outW)
		outW.Close()
	}()
	return p
}

func (p *pipeServer) send(t testing.TB, body string) {
	_, err := fmt.Fprintf(p.in, "Content-Length: %d\r\n\r\n%s", len(body), body)
	require.NoError(t, err)
}

func (p *pipeServer) recv(t testing.TB) map[string]any {
	body, err := rpc.ReadFrame(p.out, rpc.DefaultMaxMessage)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

func errCode(m map[string]any) float64 {
	if e, ok := m["error"].(map[string]any); ok {
		return e["code"].(float64)
	}
	return 0
}

func TestLifecycleAndErrors(t *testing.T) {
	p := startPipe(t)
	p.send(t, `{"jsonrpc":"2.0","id":1,"method":"textDocument/codeAction","params":{}}`)
	assert.Equal(t, float64(rpc.CodeServerNotInitialized), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{}}`) // dropped
	p.send(t, `{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"capabilities":{}}}`)
	res := p.recv(t)
	caps := res["result"].(map[string]any)["capabilities"].(map[string]any)
	sync := caps["textDocumentSync"].(map[string]any)
	assert.Equal(t, true, sync["openClose"])
	assert.Equal(t, map[string]any{"includeText": true}, sync["save"])
	assert.ElementsMatch(t, []any{"source.deepReload.pyreload", "quickfix", "source.fixAll.pyreload"},
		caps["codeActionProvider"].(map[string]any)["codeActionKinds"])
	assert.Len(t, caps["executeCommandProvider"].(map[string]any)["commands"], len(lsp.Commands))

	p.send(t, `{"jsonrpc":"2.0","id":3,"method":"initialize","params":{}}`)
	assert.Equal(t, float64(rpc.CodeInvalidRequest), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{}}`)
	assert.Equal(t, float64(rpc.CodeMethodNotFound), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","id":5,"method":"textDocument/codeAction","params":{"textDocument":5}}`)
	assert.Equal(t, float64(rpc.CodeInvalidParams), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","id":6,"method":"workspace/executeCommand","params":{"command":"pyreload.deepReload"}}`)
	m := p.recv(t)
	assert.Equal(t, float64(rpc.CodeInvalidParams), errCode(m))
	assert.Contains(t, m["error"].(map[string]any)["message"], `{"uri"`)
	p.send(t, `{"jsonrpc":"2.0","id":7,`)
	assert.Equal(t, float64(rpc.CodeParseError), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","id":8,"method":"shutdown"}`)
	assert.Nil(t, p.recv(t)["error"])
	p.send(t, `{"jsonrpc":"2.0","id":9,"method":"textDocument/codeAction","params":{}}`)
	assert.Equal(t, float64(rpc.CodeInvalidRequest), errCode(p.recv(t)))
	p.send(t, `{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case code := <-p.done:
		assert.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit")
	}
}

func TestExitWithoutShutdownIsOne(t *testing.T) {
	p := startPipe(t)
	p.send(t, `{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case code := <-p.done:
		assert.Equal(t, 1, code)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit")
	}
}

func TestEOFEndsTheSession(t *testing.T) {
	p := startPipe(t)
	p.in.Close()
	select {
	case code := <-p.done:
		assert.Equal(t, 1, code)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit on EOF")
	}
}

// FuzzServer sends one arbitrary message to an initialized server (no
// workspace, so no interpreter): it must answer and stay up.
func FuzzServer(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///x.py"},"context":{"diagnostics":[{"source":"pyreload","data":{"code":"stale-import","package":"p","fixes":["rebind"]}}]}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"workspace/executeCommand","params":{"command":"pyreload.rebind","arguments":[{"package":1}]}}`,
		`{"jsonrpc":"2.0","id":1,"method":"workspace/executeCommand","params":{"command":"pyreload.deepReload","arguments":["shop"]}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.py","text":"x"}}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.py"},"contentChanges":[{"text":"y"}]}}`,
		`{"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":"file:///a.py"}}}`,
		`{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"pyreload":{"onSave":3}}}}`,
		`{"jsonrpc":"2.0","method":"workspace/didChangeWorkspaceFolders","params":{"event":{"added":[],"removed":[{"uri":"file:///"}]}}}`,
		`{"jsonrpc":"2.0","id":"s","method":"shutdown"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p := startPipe(t)
		p.send(t, `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}}`)
		p.recv(t)
		// The probe is answered (the server is alive) and every frame is
		// valid JSON. The reader runs first: the pipes have no buffer.
		deadline := time.After(10 * time.Second)
		got := make(chan bool, 1)
		go func() {
			for {
				body, err := rpc.ReadFrame(p.out, rpc.DefaultMaxMessage)
				if err != nil {
					got <- false
					return
				}
				var m map[string]any
				if json.Unmarshal(body, &m) != nil {
					got <- false
					return
				}
				if m["id"] == "probe" {
					got <- true
					return
				}
			}
		}()
		go func() { // an exit in the body stops the reading: do not wait on it
			fmt.Fprintf(p.in, "Content-Length: %d\r\n\r\n%s", len(body), body)
			probe := `{"jsonrpc":"2.0","id":"probe","method":"textDocument/hover"}`
			fmt.Fprintf(p.in, "Content-Length: %d\r\n\r\n%s", len(probe), probe)
		}()
		select {
		case ok := <-got:
			if !ok {
				// exit in the body ends the session cleanly; anything else is a bug.
				select {
				case <-p.done:
					return
				case <-time.After(time.Second):
					t.Fatal("the server stopped answering")
				}
			}
		case <-deadline:
			t.Fatal("no answer to the probe")
		}
		p.in.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Fatal("no exit after EOF")
		}
	})
}
