package hostproto

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"sync"
	"syscall"
)

// Handler answers one request. Returning a *RemoteError sets the JSON-RPC
// error code; any other error is reported as CodePythonRaised.
type Handler func(ctx context.Context, method string, params json.RawMessage) (any, error)

// Listener is a unix socket of the host protocol for one process.
type Listener struct {
	net.Listener
	Path string
}

// Listen opens the socket of this process for root: mode 0600 inside the
// 0700 per-user directory. A leftover file at the same path is removed.
func Listen(root string) (*Listener, error) {
	dir, err := SocketDir()
	if err != nil {
		return nil, err
	}
	path := SocketPath(dir, root, os.Getpid())
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return &Listener{Listener: l, Path: path}, nil
}

// Server serves the host protocol on a listener.
type Server struct {
	Handler Handler
	// Logf, if set, receives refused connections and protocol errors.
	Logf func(format string, args ...any)

	wg sync.WaitGroup
}

// Serve accepts connections until l is closed. Each connection's requests
// are answered in order; connections from other users are refused.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				s.wg.Wait()
				return nil
			}
			return err
		}
		if uid, err := peerUID(conn); err != nil || uid != os.Getuid() {
			s.logf("refused connection from uid %d (%v)", uid, err)
			conn.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(ctx, conn)
		}()
	}
}

func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 64<<10)
	w := bufio.NewWriter(conn)
	for {
		line, err := readLine(r)
		var long *tooLongError
		if errors.As(err, &long) {
			// Answered and skipped: the connection goes on with the next line.
			if !long.ended && !skipLine(r) {
				return
			}
			line, err = nil, nil
		}
		if err != nil {
			if len(line) == 0 && err.Error() != "EOF" {
				s.logf("connection: %v", err)
			}
			return
		}
		var resp *response
		if long != nil {
			resp = &response{JSONRPC: "2.0", ID: sniffID(long.head), Error: &wireError{Code: CodeInvalidRequest, Message: long.Error()}}
		} else {
			resp = s.answer(ctx, line)
		}
		if resp == nil {
			continue
		}
		out, _ := json.Marshal(resp)
		w.Write(append(out, '\n'))
		if err := w.Flush(); err != nil {
			return
		}
	}
}

// skipLine drops the rest of an overlong line; false at end of stream.
func skipLine(r *bufio.Reader) bool {
	for {
		_, err := r.ReadSlice('\n')
		if err == nil {
			return true
		}
		if err != bufio.ErrBufferFull {
			return false
		}
	}
}

// idPattern finds a request id at the start of a line too long to decode.
var idPattern = regexp.MustCompile(`"id"\s*:\s*(-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*")`)

func sniffID(head []byte) json.RawMessage {
	if m := idPattern.FindSubmatch(head); m != nil && json.Valid(m[1]) {
		return json.RawMessage(m[1])
	}
	return nil
}

// answer decodes and runs one request; nil for notifications.
func (s *Server) answer(ctx context.Context, line []byte) *response {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return &response{JSONRPC: "2.0", Error: &wireError{Code: CodeParseError, Message: "parse error: " + err.Error()}}
	}
	if req.ID != nil && !validID(req.ID) {
		return &response{JSONRPC: "2.0", Error: &wireError{Code: CodeInvalidRequest, Message: "invalid request: id must be a number or a string"}}
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return &response{JSONRPC: "2.0", ID: req.ID, Error: &wireError{Code: CodeInvalidRequest, Message: "invalid request"}}
	}
	result, err := s.Handler(ctx, req.Method, req.Params)
	if req.ID == nil {
		return nil
	}
	if err != nil {
		return &response{JSONRPC: "2.0", ID: req.ID, Error: toWire(err)}
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return &response{JSONRPC: "2.0", ID: req.ID, Error: &wireError{Code: CodePythonRaised, Message: "result: " + err.Error()}}
	}
	return &response{JSONRPC: "2.0", ID: req.ID, Result: raw}
}

func toWire(err error) *wireError {
	var re *RemoteError
	if errors.As(err, &re) {
		w := &wireError{Code: re.Code, Message: re.Message}
		if re.Failure != nil {
			w.Data, _ = json.Marshal(re.Failure)
			if w.Message == "" {
				w.Message = re.Failure.Type + ": " + re.Failure.Message
			}
		}
		if w.Code == 0 {
			w.Code = CodePythonRaised
		}
		return w
	}
	return &wireError{Code: CodePythonRaised, Message: err.Error()}
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// peerUID reads the connecting process's uid (SO_PEERCRED).
func peerUID(conn net.Conn) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return -1, fmt.Errorf("not a unix connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if credErr != nil {
		return -1, credErr
	}
	return int(cred.Uid), nil
}
