package supervise

import (
	"bytes"
	"io"
	"sync"
)

// tailWriter passes writes through and keeps the last lines written.
type tailWriter struct {
	out io.Writer
	max int

	mu      sync.Mutex // mu guards lines and partial.
	lines   []string
	partial []byte
}

func newTailWriter(out io.Writer, max int) *tailWriter {
	return &tailWriter{out: out, max: max}
}

func (t *tailWriter) Write(p []byte) (int, error) {
	if t.out != nil {
		t.out.Write(p)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		t.push(string(t.partial[:i]))
		t.partial = t.partial[i+1:]
	}
	if len(t.partial) > 4096 {
		t.push(string(t.partial))
		t.partial = nil
	}
	return len(p), nil
}

func (t *tailWriter) push(line string) {
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// Lines returns the last lines, including an unterminated one.
func (t *tailWriter) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if len(t.partial) > 0 {
		out = append(out, string(t.partial))
	}
	return out
}
