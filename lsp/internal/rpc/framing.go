// Package rpc is the JSON-RPC 2.0 transport of the language server: LSP's
// Content-Length framing, message classification, and a connection that
// dispatches incoming requests, answers them (now or later, off the read
// loop) and sends the server's own requests and notifications.
//
// It exists because glsp v0.2.2's transport drops the connection on a
// malformed message and cannot answer a request from another goroutine; the
// LSP message types come from glsp's protocol package.
package rpc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// DefaultMaxMessage bounds one message's content; larger ones are skipped
// and answered with an error.
const DefaultMaxMessage = 64 << 20

// maxHeaderLine bounds one header line, so garbage without newlines cannot
// grow memory without limit.
const maxHeaderLine = 4096

// FrameError is a message that could not be read but after which the stream
// is still in sync: the reader skipped it. ID is the request id if one could
// be recovered from the skipped content, else nil.
type FrameError struct {
	Reason string
	ID     []byte
}

func (e *FrameError) Error() string { return e.Reason }

// ReadFrame reads one Content-Length framed message. It returns io.EOF at a
// clean end of stream, a *FrameError for a message it skipped (the stream
// stays usable), and any other error when the stream is unusable.
func ReadFrame(r *bufio.Reader, max int) ([]byte, error) {
	length := -1
	var bad string
	sawHeader := false
	for {
		line, err := readHeaderLine(r)
		if err != nil {
			if errors.Is(err, io.EOF) && !sawHeader {
				return nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			if !sawHeader {
				continue // stray blank line between messages
			}
			break
		}
		sawHeader = true
		// The rest of a message whose length was wrong or missing runs into
		// the next message's header: start again at that header.
		if i := nextHeaderIn(line); i > 0 {
			line, length, bad = line[i:], -1, ""
		}
		if !isHeaderLine(line) {
			bad = fmt.Sprintf("malformed header line %q", clip(line))
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				bad = fmt.Sprintf("bad Content-Length %q", clip(value))
				continue
			}
			length = n
		}
	}
	if length < 0 {
		if bad == "" {
			bad = "missing Content-Length header"
		}
		return nil, &FrameError{Reason: bad}
	}
	if length > max {
		head := make([]byte, min(length, 1024))
		if _, err := io.ReadFull(r, head); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		if _, err := io.CopyN(io.Discard, r, int64(length-len(head))); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, &FrameError{
			Reason: fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes", length, max),
			ID:     sniffID(head),
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	if bad != "" {
		return nil, &FrameError{Reason: bad, ID: sniffID(body)}
	}
	return body, nil
}

// isHeaderLine reports whether line is "Name: value" with a header name
// made of token characters (RFC 9110), as no JSON text is.
func isHeaderLine(line string) bool {
	name, _, ok := strings.Cut(line, ":")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

var headerStart = regexp.MustCompile(`(?i)content-(?:length|type)\s*:`)

// nextHeaderIn returns where the last LSP header in line starts, or -1.
func nextHeaderIn(line string) int {
	all := headerStart.FindAllStringIndex(line, -1)
	if all == nil {
		return -1
	}
	return all[len(all)-1][0]
}

func readHeaderLine(r *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(buf) > maxHeaderLine {
				// Drop the rest of this overlong line.
				for errors.Is(err, bufio.ErrBufferFull) {
					_, err = r.ReadSlice('\n')
				}
				if err != nil {
					return "", err
				}
				return "X-Overlong-Header-Line", nil
			}
			continue
		}
		return "", err
	}
	return string(bytes.TrimRight(buf, "\r\n")), nil
}

// WriteFrame writes one framed message.
func WriteFrame(w io.Writer, body []byte) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	_, err := w.Write(b.Bytes())
	return err
}

var idPattern = regexp.MustCompile(`"id"\s*:\s*(-?[0-9]+|"(?:[^"\\]|\\.)*")`)

// sniffID recovers a request id from content that could not be decoded.
func sniffID(b []byte) []byte {
	if m := idPattern.FindSubmatch(b); m != nil {
		return m[1]
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// FrameReader reads framed messages like ReadFrame and also recovers from a
// Content-Length that overstates its message: content that is not JSON but
// holds the start of the next message's header (whole or not) is cut there,
// and what follows is read again as the stream.
type FrameReader struct {
	br  *bufio.Reader
	src *unreader
	max int
}

// NewFrameReader reads from r; max bounds one message's content.
func NewFrameReader(r io.Reader, max int) *FrameReader {
	src := &unreader{r: r}
	return &FrameReader{br: bufio.NewReaderSize(src, 64<<10), src: src, max: max}
}

// Read returns the next message, with ReadFrame's errors.
func (f *FrameReader) Read() ([]byte, error) {
	body, err := ReadFrame(f.br, f.max)
	if err != nil || json.Valid(body) {
		return body, err
	}
	at := -1
	if loc := headerStart.FindIndex(body); loc != nil {
		at = loc[0]
	} else {
		at = headerPrefixAtEnd(body)
	}
	if at < 0 {
		return body, nil // the dispatcher answers a parse error
	}
	f.unread(body[at:])
	body = body[:at]
	if json.Valid(body) {
		return body, nil
	}
	return nil, &FrameError{Reason: "Content-Length does not match the message", ID: sniffID(body)}
}

// headerPrefixAtEnd returns where content ends with the start of an LSP
// header cut short ("Content-Le"), or -1.
func headerPrefixAtEnd(b []byte) int {
	for _, h := range []string{"content-length:", "content-type:"} {
		for n := min(len(b), len(h)-1); n > 0; n-- {
			if strings.EqualFold(string(b[len(b)-n:]), h[:n]) {
				return len(b) - n
			}
		}
	}
	return -1
}

// unread puts b back in front of what the reader has not consumed yet.
func (f *FrameReader) unread(b []byte) {
	buffered, _ := f.br.Peek(f.br.Buffered())
	pending := make([]byte, 0, len(b)+len(buffered)+len(f.src.pending))
	pending = append(append(append(pending, b...), buffered...), f.src.pending...)
	f.src.pending = pending
	f.br.Reset(f.src)
}

// unreader reads its pending bytes before its reader.
type unreader struct {
	pending []byte
	r       io.Reader
}

func (u *unreader) Read(p []byte) (int, error) {
	if len(u.pending) > 0 {
		n := copy(p, u.pending)
		u.pending = u.pending[n:]
		return n, nil
	}
	return u.r.Read(p)
}
