package rpc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(body string) string {
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}

// syncBuffer is a bytes.Buffer safe for the conn's writer goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) messages(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := bufio.NewReader(bytes.NewReader(s.b.Bytes()))
	var out []map[string]any
	for {
		body, err := ReadFrame(r, DefaultMaxMessage)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		out = append(out, m)
	}
}

func echo(ctx context.Context, req *Request) (any, error) {
	switch req.Method {
	case "echo":
		return req.Params, nil
	case "boom":
		panic("boom")
	case "slow":
		return Defer(func() (any, error) { return "late", nil }), nil
	}
	return nil, Errorf(CodeMethodNotFound, "unknown method %s", req.Method)
}

func run(t *testing.T, input string) []map[string]any {
	t.Helper()
	out := &syncBuffer{}
	c := NewConn(strings.NewReader(input), out, 1024)
	require.NoError(t, c.Run(context.Background(), echo))
	time.Sleep(20 * time.Millisecond) // deferred answers
	return out.messages(t)
}

func TestMalformedInputGetsErrorsAndTheStreamContinues(t *testing.T) {
	input := frame(`{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}`) +
		frame(`{not json`) +
		frame(`[1,2]`) +
		frame(`"str"`) +
		frame(`{"jsonrpc":"2.0","id":{"x":1},"method":"echo"}`) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"nope"}`) +
		frame(`{"jsonrpc":"2.0","id":3,"method":"boom"}`) +
		"Content-Length: 5000\r\n\r\n" + `{"jsonrpc":"2.0","id":4,"method":"echo","params":"` + strings.Repeat("x", 5000-48) + `"}` +
		"Garbage-Without-Colon\r\n\r\n" +
		frame(`{"jsonrpc":"2.0","id":5,"method":"slow"}`) +
		frame(`{"jsonrpc":"2.0","method":"note"}`) +
		frame(`{"jsonrpc":"2.0","id":6,"method":"echo","params":7}`) +
		frame(`{"jsonrpc":"2.0","id":7,"method":"echo","params":[1]}`)
	msgs := run(t, input)
	byID := map[string]map[string]any{}
	var nullIDs int
	for _, m := range msgs {
		if m["id"] == nil {
			nullIDs++
			continue
		}
		byID[fmt.Sprint(m["id"])] = m
	}
	code := func(id string) float64 {
		e, _ := byID[id]["error"].(map[string]any)
		require.NotNil(t, e, "no error for id %s: %v", id, byID[id])
		return e["code"].(float64)
	}
	assert.Equal(t, map[string]any{"a": float64(1)}, byID["1"]["result"])
	assert.Equal(t, float64(CodeMethodNotFound), code("2"))
	assert.Equal(t, float64(CodeInternalError), code("3"))
	assert.Equal(t, float64(CodeInvalidRequest), code("4"), "oversized message answered with its id")
	assert.Equal(t, "late", byID["5"]["result"])
	assert.Equal(t, float64(CodeInvalidRequest), code("6"))
	assert.Equal(t, []any{float64(1)}, byID["7"]["result"])
	assert.Equal(t, 5, nullIDs, "parse error, batch, non-object, bad id, missing length")
}

func TestEOFMidMessageEndsWithError(t *testing.T) {
	c := NewConn(strings.NewReader("Content-Length: 10\r\n\r\n{\"a"), io.Discard, 0)
	assert.Error(t, c.Run(context.Background(), echo))
}

func TestCallGetsItsResponse(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := NewConn(inR, outW, 0)
	go c.Run(context.Background(), echo)
	go func() {
		r := bufio.NewReader(outR)
		body, err := ReadFrame(r, DefaultMaxMessage)
		if err != nil {
			return
		}
		var m map[string]any
		json.Unmarshal(body, &m)
		id, _ := json.Marshal(m["id"])
		io.WriteString(inW, frame(`{"jsonrpc":"2.0","id":`+string(id)+`,"result":null}`))
		body, _ = ReadFrame(r, DefaultMaxMessage)
		json.Unmarshal(body, &m)
		id, _ = json.Marshal(m["id"])
		io.WriteString(inW, frame(`{"jsonrpc":"2.0","id":`+string(id)+`,"result":{"x":2}}`))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Call(ctx, "window/workDoneProgress/create", map[string]any{"token": "t"}, nil))
	var res struct{ X int }
	require.NoError(t, c.Call(ctx, "other", nil, &res))
	assert.Equal(t, 2, res.X)
	inW.Close()
	<-c.Closed()
	assert.Error(t, c.Call(ctx, "after", nil, nil))
}

// FuzzDispatch feeds arbitrary bytes through framing and dispatch: the
// connection must never panic, and every framed request gets an answer.
func FuzzDispatch(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"echo","params":{}}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":"a","method":"boom"}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"result":null}`))
	f.Add([]byte(`{"jsonrpc":"2.0","method":"x","params":3}`))
	f.Add([]byte(`[{"jsonrpc":"2.0"}]`))
	f.Add([]byte(`{"id":null}`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, body []byte) {
		// Framed: read cleanly, and anything that looks like a request is answered.
		out := &syncBuffer{}
		c := NewConn(strings.NewReader(frame(string(body))), out, 1<<16)
		require.NoError(t, c.Run(context.Background(), echo))
		time.Sleep(time.Millisecond)
		out.messages(t) // every answer is a well-formed frame
		// Raw: the bytes as the stream itself; errors are fine, panics are not.
		c = NewConn(bytes.NewReader(body), io.Discard, 1<<16)
		c.Run(context.Background(), echo)
	})
}
