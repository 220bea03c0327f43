package hostproto

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pyreload/pyreload/reload"
)

// Client is a connection to one interpreter. It implements
// reload.Interpreter; concurrent calls are pipelined on the connection.
type Client struct {
	conn    net.Conn
	process reload.Process

	writeMu sync.Mutex // writeMu serialises writes to conn.

	mu      sync.Mutex // mu guards nextID, pending and err.
	nextID  int64
	pending map[int64]chan response
	err     error // set once the connection is gone
}

var _ reload.Interpreter = (*Client)(nil)

// ErrClosed is returned by calls on a connection that has gone away.
var ErrClosed = errors.New("connection to interpreter closed")

// errClosedHere is ErrClosed after Close: this side ended the connection.
var errClosedHere = fmt.Errorf("%w by this client", ErrClosed)

// pingTimeout bounds the liveness check made by Dial.
const pingTimeout = 3 * time.Second

// Dial connects to the interpreter serving socketPath and checks that it
// answers a ping.
func Dial(socketPath string) (*Client, error) {
	conn, err := net.DialTimeout("unix", socketPath, pingTimeout)
	if err != nil {
		return nil, err
	}
	c := newClient(conn, reload.Process{Socket: socketPath})
	if err := c.handshake(); err != nil {
		return nil, fmt.Errorf("%s does not answer: %w", socketPath, err)
	}
	return c, nil
}

// handshake pings the interpreter and learns its pid and kind; on failure
// the connection is closed.
func (c *Client) handshake() error {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	var pong struct {
		PID  int    `json:"pid"`
		Kind string `json:"kind"`
	}
	if err := c.Call(ctx, "ping", struct{}{}, &pong); err != nil {
		c.Close()
		return err
	}
	c.process.PID, c.process.Kind = pong.PID, pong.Kind
	return nil
}

func newClient(conn net.Conn, p reload.Process) *Client {
	c := &Client{conn: conn, process: p, pending: map[int64]chan response{}}
	go c.readLoop()
	return c
}

// Process describes the interpreter's process.
func (c *Client) Process() reload.Process { return c.process }

// Close closes the connection.
func (c *Client) Close() error {
	c.fail(errClosedHere)
	return c.conn.Close()
}

// Call sends one request and waits for its answer or ctx's end.
func (c *Client) Call(ctx context.Context, method string, params, result any) error {
	if params == nil {
		params = struct{}{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s params: %w", method, err)
	}
	ch := make(chan response, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	line, _ := json.Marshal(request{JSONRPC: "2.0", ID: json.RawMessage(strconv.FormatInt(id, 10)), Method: method, Params: raw})
	c.writeMu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetWriteDeadline(dl)
	}
	_, err = c.conn.Write(append(line, '\n'))
	c.conn.SetWriteDeadline(time.Time{})
	c.writeMu.Unlock()
	if err != nil {
		c.fail(err)
		return fmt.Errorf("%s: %w", method, c.diedError(method, err))
	}

	select {
	case <-ctx.Done():
		return fmt.Errorf("%s to %s %d: %w", method, c.process.Kind, c.process.PID, ctx.Err())
	case resp, ok := <-ch:
		if !ok {
			return c.diedError(method, c.err)
		}
		if resp.Error != nil {
			return c.remoteError(resp.Error)
		}
		if result == nil || len(resp.Result) == 0 {
			return nil
		}
		if err := json.Unmarshal(resp.Result, result); err != nil {
			return fmt.Errorf("%s result: %w", method, err)
		}
		return nil
	}
}

func (c *Client) remoteError(w *wireError) error {
	e := &RemoteError{Code: w.Code, Message: w.Message, Process: c.process}
	if len(w.Data) > 0 {
		var f reload.Failure
		if json.Unmarshal(w.Data, &f) == nil && f.Type != "" {
			e.Failure = &f
		}
	}
	return e
}

func (c *Client) readLoop() {
	r := bufio.NewReaderSize(c.conn, 64<<10)
	for {
		line, err := readLine(r)
		if err != nil {
			c.fail(fmt.Errorf("%w: %v", ErrClosed, err))
			return
		}
		var resp response
		if json.Unmarshal(line, &resp) != nil {
			continue // noise is ignored
		}
		id, err := strconv.ParseInt(string(resp.ID), 10, 64)
		if err != nil {
			continue // not an answer to this client's requests
		}
		c.mu.Lock()
		ch := c.pending[id]
		c.mu.Unlock()
		if ch != nil {
			ch <- resp
		}
	}
}

// fail records the first connection error and wakes every waiting call.
func (c *Client) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}

// readLine reads one newline-terminated message, refusing huge ones.
// tooLongError is a line over MaxMessage: its start, and whether the
// line's end was read too.
type tooLongError struct {
	head  []byte
	ended bool
}

func (e *tooLongError) Error() string { return fmt.Sprintf("message over %d bytes", MaxMessage) }

func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > MaxMessage {
			return nil, &tooLongError{head: buf[:min(len(buf), 1024)], ended: err == nil}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf, nil
	}
}
