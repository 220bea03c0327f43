package hostproto_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// serve starts a Go server for root with handler and returns its listener.
func serve(t *testing.T, root string, h hostproto.Handler) *hostproto.Listener {
	t.Helper()
	l, err := hostproto.Listen(root)
	require.NoError(t, err)
	srv := &hostproto.Server{Handler: h}
	go srv.Serve(context.Background(), l)
	t.Cleanup(func() { l.Close() })
	return l
}

func echo(_ context.Context, method string, params json.RawMessage) (any, error) {
	switch method {
	case "ping":
		return map[string]any{"pong": true, "pid": os.Getpid(), "kind": "host"}, nil
	case "echo":
		return params, nil
	case "raise":
		return nil, &hostproto.RemoteError{Code: hostproto.CodePythonRaised, Message: "ValueError: bad",
			Failure: &reload.Failure{Type: "ValueError", Message: "bad", Traceback: "Traceback...\nValueError: bad\n"}}
	case "slow":
		time.Sleep(300 * time.Millisecond)
		return "late", nil
	}
	return nil, hostproto.Error(hostproto.CodeUnknownMethod, "unknown method %q", method)
}

func isolate(t *testing.T) string {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	return t.TempDir()
}

func TestRoundTripAndErrors(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	c, err := hostproto.Dial(l.Path)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, os.Getpid(), c.Process().PID)
	assert.Equal(t, "host", c.Process().Kind)

	var got map[string]string
	require.NoError(t, c.Call(context.Background(), "echo", map[string]string{"a": "b"}, &got))
	assert.Equal(t, "b", got["a"])

	err = c.Call(context.Background(), "raise", nil, nil)
	var re *hostproto.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostproto.CodePythonRaised, re.Code)
	require.NotNil(t, re.Failure)
	assert.Equal(t, "ValueError", re.Failure.Type)

	err = c.Call(context.Background(), "nope", nil, nil)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostproto.CodeUnknownMethod, re.Code)
}

func TestCallDeadline(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	c, err := hostproto.Dial(l.Path)
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Call(ctx, "slow", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The connection stays usable; the late answer is dropped.
	var s string
	require.NoError(t, c.Call(context.Background(), "echo", "x", &s))
	assert.Equal(t, "x", s)
}

func TestMalformedLinesGetJSONRPCErrors(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	conn, err := net.Dial("unix", l.Path)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, tc := range []struct {
		line string
		code int
	}{
		{"{not json", hostproto.CodeParseError},
		{`{"jsonrpc":"1.0","id":1,"method":"ping"}`, hostproto.CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":2,"method":"ping","params":[1,2]}`, 0},
	} {
		_, err := conn.Write([]byte(tc.line + "\n"))
		require.NoError(t, err)
		line, err := r.ReadBytes('\n')
		require.NoError(t, err)
		var resp struct {
			Error *struct{ Code int } `json:"error"`
		}
		require.NoError(t, json.Unmarshal(line, &resp), string(line))
		if tc.code == 0 {
			assert.Nil(t, resp.Error, string(line))
		} else {
			require.NotNil(t, resp.Error, string(line))
			assert.Equal(t, tc.code, resp.Error.Code)
		}
	}
}

func TestSocketModesAndDiscovery(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	dir, err := hostproto.SocketDir()
	require.NoError(t, err)
	st, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	st, err = os.Stat(l.Path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	assert.True(t, strings.HasPrefix(filepath.Base(l.Path), hostproto.RootHash(root)+"-"))

	// A stale socket of a dead process for the same root is removed.
	stale := hostproto.SocketPath(dir, root, 999999)
	sl, err := net.Listen("unix", stale)
	require.NoError(t, err)
	sl.(*net.UnixListener).SetUnlinkOnClose(false)
	sl.Close()
	_, err = os.Stat(stale)
	require.NoError(t, err, "stale socket file should exist before discovery")

	clients, err := hostproto.Discover(root)
	require.NoError(t, err)
	require.Len(t, clients, 1)
	assert.Equal(t, os.Getpid(), clients[0].Process().PID)
	clients[0].Close()
	_, err = os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "stale socket must be removed")

	// Another root sees nothing.
	other, err := hostproto.Discover(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, other)
}

func TestSocketDirRefusesForeignOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to chown")
	}
	xdg := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", xdg)
	dir := filepath.Join(xdg, "pyreload")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chown(dir, 65534, 65534))
	_, err := hostproto.SocketDir()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a directory owned by uid")
}

// TestEveryRequestIDIsAnsweredAsItCame: JSON-RPC 2.0 allows string ids and
// numbers of any size; each is answered with the id it came with, and an id
// of another type gets an invalid-request error with a null id.
func TestEveryRequestIDIsAnsweredAsItCame(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	conn, err := net.Dial("unix", l.Path)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, tc := range []struct{ id, answered string }{
		{`"abc"`, `"abc"`},
		{`"ünï \"q\""`, `"ünï \"q\""`},
		{`1e400`, `1e400`},
		{`-3.5`, `-3.5`},
		{`null`, `null`},
		{`{"x":1}`, `null`},
		{`[1]`, `null`},
		{`true`, `null`},
	} {
		_, err := conn.Write([]byte(`{"jsonrpc":"2.0","id":` + tc.id + `,"method":"ping"}` + "\n"))
		require.NoError(t, err)
		line, err := r.ReadBytes('\n')
		require.NoError(t, err)
		require.True(t, json.Valid(line), string(line))
		var resp struct {
			ID    json.RawMessage `json:"id"`
			Error *struct{ Code int }
		}
		require.NoError(t, json.Unmarshal(line, &resp), string(line))
		assert.Equal(t, tc.answered, string(resp.ID), "id %s: %s", tc.id, line)
		if tc.answered == `null` && tc.id != `null` {
			require.NotNil(t, resp.Error, string(line))
			assert.Equal(t, hostproto.CodeInvalidRequest, resp.Error.Code)
		} else {
			assert.Nil(t, resp.Error, "id %s: %s", tc.id, line)
		}
	}
}

// TestOverlongLineIsAnsweredAndSkipped: a line over MaxMessage closed the
// connection unanswered; it gets an error with its id, and the connection
// goes on.
func TestOverlongLineIsAnsweredAndSkipped(t *testing.T) {
	root := isolate(t)
	l := serve(t, root, echo)
	conn, err := net.Dial("unix", l.Path)
	require.NoError(t, err)
	defer conn.Close()
	go func() {
		head := `{"jsonrpc":"2.0","id":"big","method":"echo","params":{"pad":"`
		conn.Write([]byte(head))
		conn.Write(make([]byte, hostproto.MaxMessage+1)) // zero bytes: never a newline
		conn.Write([]byte("\"}}\n" + `{"jsonrpc":"2.0","id":2,"method":"ping"}` + "\n"))
	}()
	r := bufio.NewReader(conn)
	for _, want := range []string{`"big"`, `2`} {
		line, err := r.ReadBytes('\n')
		require.NoError(t, err, "the connection closed")
		var resp struct {
			ID    json.RawMessage
			Error *struct{ Code int }
		}
		require.NoError(t, json.Unmarshal(line, &resp))
		assert.Equal(t, want, string(resp.ID))
		if want == `"big"` {
			require.NotNil(t, resp.Error)
			assert.Equal(t, hostproto.CodeInvalidRequest, resp.Error.Code)
		} else {
			assert.Nil(t, resp.Error)
		}
	}
}
