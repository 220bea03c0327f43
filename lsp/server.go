package lsp

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/tliron/commonlog"

	"github.com/pyreload/pyreload/lsp/internal/rpc"
)

// Options configure a Server.
type Options struct {
	// Log receives the server's log; nil: commonlog's "pyreload.lsp".
	Log commonlog.Logger
	// HostStderr receives what embedded hosts print; nil discards it.
	HostStderr io.Writer
	// Exe is the pyreload binary that embedded hosts run; empty: this one.
	Exe string
	// MaxMessage bounds one incoming message (0: rpc.DefaultMaxMessage).
	MaxMessage int
}

// lifecycle states of the server.
const (
	stateNew = iota
	stateInitialized
	stateShutdown
)

// Server is one language server session.
type Server struct {
	opts   Options
	log    commonlog.Logger
	conn   *rpc.Conn
	ctx    context.Context // cancelled when the session ends
	cancel context.CancelFunc
	docs   *docStore
	exit   chan int // the code `exit` asks for

	mu          sync.Mutex // mu guards the fields below.
	state       int
	caps        clientCaps
	initOptions map[string]any
	roots       []*root
}

// route is one method's handler.
type route func(s *Server, params json.RawMessage) (any, error)

// routes wires every method the server answers; it is the only place that
// does.
func routes() map[string]route {
	return map[string]route{
		"initialize":                          request(initialize),
		"initialized":                         notification(initialized),
		"shutdown":                            shutdown,
		"textDocument/didOpen":                notification(didOpen),
		"textDocument/didChange":              notification(didChange),
		"textDocument/didSave":                notification(didSave),
		"textDocument/didClose":               notification(didClose),
		"textDocument/codeAction":             request(codeAction),
		"workspace/executeCommand":            request(executeCommand),
		"workspace/didChangeConfiguration":    notification(didChangeConfiguration),
		"workspace/didChangeWorkspaceFolders": notification(didChangeWorkspaceFolders),
		"workspace/didChangeWatchedFiles":     ignore,
		"window/workDoneProgress/cancel":      ignore,
		"$/cancelRequest":                     ignore,
		"$/setTrace":                          ignore,
	}
}

// New returns a server; Run starts it.
func New(opts Options) *Server {
	log := opts.Log
	if log == nil {
		log = commonlog.GetLogger("pyreload.lsp")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: opts, log: log, ctx: ctx, cancel: cancel, docs: newDocStore(), exit: make(chan int, 1)}
}

// Run serves one client on in/out until `exit` or the end of in, stops the
// interpreters it started, and returns the process exit code: 0 after
// shutdown, 1 otherwise.
func (s *Server) Run(in io.Reader, out io.Writer) int {
	s.conn = rpc.NewConn(in, out, s.opts.MaxMessage)
	s.conn.Logf = s.log.Warningf
	table := routes()
	done := make(chan error, 1)
	go func() {
		done <- s.conn.Run(s.ctx, func(_ context.Context, req *rpc.Request) (any, error) {
			return s.dispatch(table, req)
		})
	}()
	code := 1
	select {
	case code = <-s.exit:
	case err := <-done:
		if err != nil {
			s.log.Errorf("reading from the client: %v", err)
		}
		s.mu.Lock()
		if s.state == stateShutdown {
			code = 0
		}
		s.mu.Unlock()
		s.log.Info("client closed the connection")
	}
	s.stopAll(5 * time.Second)
	return code
}

// dispatch gates messages on the lifecycle state, then routes them.
func (s *Server) dispatch(table map[string]route, req *rpc.Request) (any, error) {
	if req.Method == "exit" {
		s.onExit()
		return nil, nil
	}
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case state == stateNew && req.Method != "initialize":
		if req.IsNotification() {
			return nil, nil
		}
		return nil, rpc.Errorf(rpc.CodeServerNotInitialized, "server not initialized: send initialize first")
	case state == stateInitialized && req.Method == "initialize":
		return nil, rpc.Errorf(rpc.CodeInvalidRequest, "initialize was already sent")
	case state == stateShutdown:
		return nil, rpc.Errorf(rpc.CodeInvalidRequest, "server is shut down: only exit is accepted")
	}
	h, ok := table[req.Method]
	if !ok {
		if req.IsNotification() {
			return nil, nil // unknown notifications ($/...) are ignored
		}
		return nil, rpc.Errorf(rpc.CodeMethodNotFound, "method not supported: %s", req.Method)
	}
	return h(s, req.Params)
}

func ignore(*Server, json.RawMessage) (any, error) { return nil, nil }

// request adapts a typed request handler.
func request[P any](f func(s *Server, p *P) (any, error)) route {
	return func(s *Server, raw json.RawMessage) (any, error) {
		p, err := decode[P](raw)
		if err != nil {
			return nil, err
		}
		return f(s, p)
	}
}

// notification adapts a typed notification handler.
func notification[P any](f func(s *Server, p *P)) route {
	return func(s *Server, raw json.RawMessage) (any, error) {
		p, err := decode[P](raw)
		if err != nil {
			return nil, err
		}
		f(s, p)
		return nil, nil
	}
}

func decode[P any](raw json.RawMessage) (*P, error) {
	p := new(P)
	if len(raw) == 0 || string(raw) == "null" {
		return p, nil
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParams, "invalid params: %v", err)
	}
	return p, nil
}

// notify sends a notification, logging a failure (the client may be gone).
func (s *Server) notify(method string, params any) {
	if err := s.conn.Notify(method, params); err != nil {
		s.log.Debugf("notify %s: %v", method, err)
	}
}

// call sends a request to the client. Never call it on the read loop.
func (s *Server) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	return s.conn.Call(ctx, method, params, result)
}

// goSafe runs f off the read loop, logging a panic instead of crashing.
func (s *Server) goSafe(what string, f func()) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Errorf("bug: panic in %s: %v", what, p)
			}
		}()
		f()
	}()
}
