package lsp

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// progressDelay is how long work runs before the editor shows progress.
const progressDelay = 100 * time.Millisecond

var progressSeq atomic.Int64

// progress reports long work with the server's own token (clients send
// none on executeCommand): if the work is still running after
// progressDelay and the client supports it, it creates the token and sends
// begin; the returned end sends end. Call it off the read loop.
func (s *Server) progress(title string) (end func(msg string)) {
	s.mu.Lock()
	supported := s.caps.workDoneProgress
	s.mu.Unlock()
	if !supported {
		return func(string) {}
	}
	token := fmt.Sprintf("pyreload-progress-%d", progressSeq.Add(1))
	var mu sync.Mutex // mu orders begin before end.
	begun, finished := false, false
	timer := time.AfterFunc(progressDelay, func() {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return
		}
		if err := s.call("window/workDoneProgress/create", map[string]any{"token": token}, nil); err != nil {
			s.log.Debugf("progress create: %v", err)
			return
		}
		s.notify("$/progress", map[string]any{"token": token, "value": protocol.WorkDoneProgressBegin{Kind: "begin", Title: title}})
		begun = true
	})
	return func(msg string) {
		timer.Stop()
		go func() { // the create call may still be waiting for the client
			mu.Lock()
			defer mu.Unlock()
			finished = true
			if begun {
				s.notify("$/progress", map[string]any{"token": token, "value": protocol.WorkDoneProgressEnd{Kind: "end", Message: &msg}})
			}
		}()
	}
}
