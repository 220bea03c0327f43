package rpc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const goodRequest = `{"jsonrpc":"2.0","id":99,"method":"echo","params":["back"]}`

// malformedFrames are frames whose Content-Length is wrong or absent: each
// used to leave the server deaf to every later message.
var malformedFrames = map[string]string{
	"length not a number":         "Content-Length: 1x\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length missing":              "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length too short":            "Content-Length: 10\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length too long":             "Content-Length: 60\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length into the next header": "Content-Length: 50\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length into the next body":   "Content-Length: 90\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"length negative":             "Content-Length: -4\r\n\r\n" + `{"jsonrpc":"2.0","id":1,"method":"echo"}`,
	"pretty body, no length":      "\r\n\r\n{\n  \"jsonrpc\": \"2.0\",\n\n  \"id\": 1\n}",
}

// TestMalformedFrameThenGoodMessageIsAnswered sends each malformed frame and
// then a good request over a pipe that stays open, as an editor's does: the
// good request must be answered.
func TestMalformedFrameThenGoodMessageIsAnswered(t *testing.T) {
	for name, bad := range malformedFrames {
		t.Run(name, func(t *testing.T) {
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			c := NewConn(inR, outW, 1024)
			go c.Run(context.Background(), echo)
			defer inW.Close()
			go func() {
				io.WriteString(inW, bad)
				io.WriteString(inW, frame(goodRequest))
			}()
			got := make(chan map[string]any, 1)
			go func() {
				r := bufio.NewReader(outR)
				for {
					body, err := ReadFrame(r, DefaultMaxMessage)
					if err != nil {
						return
					}
					var m map[string]any
					if json.Unmarshal(body, &m) == nil && m["id"] == float64(99) {
						got <- m
						return
					}
				}
			}()
			select {
			case m := <-got:
				assert.Equal(t, []any{"back"}, m["result"])
			case <-time.After(10 * time.Second):
				t.Fatal("the good request after the malformed frame was never answered")
			}
		})
	}
}

// TestOverstatedLengthKeepsBothMessages: a length that runs into the next
// message answers the first (its content ends before the next header) and
// the next.
func TestOverstatedLengthKeepsBothMessages(t *testing.T) {
	first := `{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}`
	input := "Content-Length: " + strconv.Itoa(len(first)+30) + "\r\n\r\n" + first + frame(goodRequest)
	msgs := run(t, input)
	ids := map[float64]any{}
	for _, m := range msgs {
		if id, ok := m["id"].(float64); ok {
			ids[id] = m["result"]
		}
	}
	assert.Equal(t, map[float64]any{1: []any{float64(1)}, 99: []any{"back"}}, ids, "%v", msgs)
}

// FuzzResync feeds a frame with any Content-Length value and any content,
// then two good requests: the transport must not panic, must write only
// well-formed frames, and must answer the last request whenever the bad
// frame's length does not reach into it.
func FuzzResync(f *testing.F) {
	for _, bad := range malformedFrames {
		head, body, _ := strings.Cut(bad, "\r\n\r\n")
		_, value, _ := strings.Cut(head, ":")
		f.Add(strings.TrimSpace(value), body)
	}
	f.Add("", "")
	f.Add("5", "{}")
	f.Add("0", `{"id":3`)
	f.Fuzz(func(t *testing.T, value, body string) {
		if strings.ContainsAny(value, "\r\n") || strings.Contains(strings.ToLower(body), "content-") {
			t.Skip("a header value holds no line break; content naming LSP headers is another frame")
		}
		first := frame(`{"jsonrpc":"2.0","id":98,"method":"echo","params":[1]}`)
		input := "Content-Length: " + value + "\r\n\r\n" + body + first + frame(goodRequest)
		out := &syncBuffer{}
		c := NewConn(strings.NewReader(input), out, 1<<16)
		c.Run(context.Background(), echo)
		time.Sleep(time.Millisecond)
		msgs := out.messages(t) // every answer is a well-formed frame
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err == nil && n > len(body)+len(first) {
			return // the stated length takes in the last request itself
		}
		for _, m := range msgs {
			if m["id"] == float64(99) {
				return
			}
		}
		t.Fatalf("request 99 not answered after %q; answers: %v", fmt.Sprint(value, " / ", body), msgs)
	})
}
