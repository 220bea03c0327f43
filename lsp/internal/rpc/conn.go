package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
)

// Handler answers one incoming message. It runs on the read loop, so it must
// not block: for slow work it returns Defer(...) and the answer is sent when
// that function returns, from another goroutine. For notifications the
// result is ignored.
type Handler func(ctx context.Context, req *Request) (result any, err error)

// Deferred is a result computed off the read loop.
type Deferred func() (any, error)

// Defer makes a handler's answer wait for f without blocking the read loop.
func Defer(f func() (any, error)) Deferred { return Deferred(f) }

// Conn is one JSON-RPC connection over a byte stream.
type Conn struct {
	r *FrameReader

	wmu sync.Mutex // wmu serialises writes to w.
	w   io.Writer

	mu      sync.Mutex // mu guards pending.
	pending map[string]chan *wire
	nextID  atomic.Int64
	closed  chan struct{}

	// Logf receives transport problems; nil discards them.
	Logf func(format string, args ...any)
}

// NewConn returns a connection reading r and writing w; max bounds a
// message (0: DefaultMaxMessage).
func NewConn(r io.Reader, w io.Writer, max int) *Conn {
	if max <= 0 {
		max = DefaultMaxMessage
	}
	return &Conn{
		r:       NewFrameReader(r, max),
		w:       w,
		pending: map[string]chan *wire{},
		closed:  make(chan struct{}),
	}
}

// Run reads and dispatches messages until the stream ends; it returns nil at
// a clean end of stream. Outstanding Calls fail once it returns.
func (c *Conn) Run(ctx context.Context, h Handler) error {
	defer c.shutdown()
	for {
		body, err := c.r.Read()
		var fe *FrameError
		switch {
		case errors.As(err, &fe):
			c.logf("skipped a message: %s", fe.Reason)
			c.replyError(fe.ID, Errorf(CodeInvalidRequest, "%s", fe.Reason))
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		c.dispatch(ctx, body, h)
		if len(body) >= BigMessage {
			body = nil
			ReleaseMemory()
		}
	}
}

// Closed is closed when Run has returned.
func (c *Conn) Closed() <-chan struct{} { return c.closed }

func (c *Conn) dispatch(ctx context.Context, body []byte, h Handler) {
	k, m, rpcErr := classify(body)
	switch k {
	case kindInvalid:
		var id json.RawMessage
		if m != nil {
			id = m.ID
		}
		c.replyError(id, rpcErr)
	case kindResponse:
		c.mu.Lock()
		ch := c.pending[string(m.ID)]
		delete(c.pending, string(m.ID))
		c.mu.Unlock()
		if ch != nil {
			ch <- m
		} else {
			c.logf("response to unknown request %s", m.ID)
		}
	case kindRequest, kindNotification:
		req := &Request{ID: m.ID, Method: *m.Method, Params: m.Params}
		res, err := c.call(ctx, h, req)
		if d, ok := res.(Deferred); ok && err == nil {
			go func() {
				res, err := c.runDeferred(d)
				if !req.IsNotification() {
					c.reply(req.ID, res, err)
				}
			}()
			return
		}
		if !req.IsNotification() {
			c.reply(req.ID, res, err)
		} else if err != nil {
			c.logf("notification %s: %v", req.Method, err)
		}
	}
}

// call runs the handler, turning a panic into an internal error.
func (c *Conn) call(ctx context.Context, h Handler, req *Request) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.logf("panic in %s: %v\n%s", req.Method, p, debug.Stack())
			res, err = nil, Errorf(CodeInternalError, "internal error in %s: %v", req.Method, p)
		}
	}()
	return h(ctx, req)
}

func (c *Conn) runDeferred(d Deferred) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.logf("panic: %v\n%s", p, debug.Stack())
			res, err = nil, Errorf(CodeInternalError, "internal error: %v", p)
		}
	}()
	return d()
}

func (c *Conn) reply(id json.RawMessage, res any, err error) {
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			re = Errorf(CodeRequestFailed, "%s", err.Error())
		}
		c.replyError(id, re)
		return
	}
	raw, merr := json.Marshal(res)
	if merr != nil {
		c.replyError(id, Errorf(CodeInternalError, "cannot encode result: %v", merr))
		return
	}
	c.write(&wire{JSONRPC: "2.0", ID: id, Result: raw})
}

func (c *Conn) replyError(id json.RawMessage, e *Error) {
	if id == nil {
		id = json.RawMessage("null")
	}
	c.write(&wire{JSONRPC: "2.0", ID: id, Error: e})
}

// Notify sends a notification.
func (c *Conn) Notify(method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return c.write(&wire{JSONRPC: "2.0", Method: &method, Params: raw})
}

// Call sends a request and waits for its answer. Never call it from a
// Handler: the answer is read by the loop that runs the handler.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	select {
	case <-c.closed:
		return fmt.Errorf("%s: connection closed", method)
	default:
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	id := json.RawMessage(strconv.Quote("pyreload-" + strconv.FormatInt(c.nextID.Add(1), 10)))
	ch := make(chan *wire, 1)
	c.mu.Lock()
	c.pending[string(id)] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, string(id))
		c.mu.Unlock()
	}()
	if err := c.write(&wire{JSONRPC: "2.0", ID: id, Method: &method, Params: raw}); err != nil {
		return err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return m.Error
		}
		if result != nil && len(m.Result) > 0 {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closed:
		return fmt.Errorf("%s: connection closed", method)
	}
}

func (c *Conn) write(m *wire) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := WriteFrame(c.w, body); err != nil {
		c.logf("write: %v", err)
		return err
	}
	return nil
}

func (c *Conn) shutdown() {
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
}

func (c *Conn) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}
