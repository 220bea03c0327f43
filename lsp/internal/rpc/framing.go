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
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("malformed header line %q", clip(line))
			continue
		}
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
