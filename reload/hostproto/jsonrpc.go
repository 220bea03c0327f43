package hostproto

import (
	"encoding/json"
	"fmt"

	"github.com/pyreload/pyreload/reload"
)

// JSON-RPC error codes of the host protocol.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeUnknownMethod  = -32601
	CodeInvalidParams  = -32602
	CodePythonRaised   = -32000
	CodeDeadline       = -32001
	CodeBusy           = -32002
)

// MaxMessage bounds one protocol line; a longer one is refused.
const MaxMessage = 64 << 20

// request's ID is absent for a notification, else a number or a string, as
// JSON-RPC 2.0 allows; it is answered back as it came.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *wireError      `json:"error,omitempty"`
}

// validID reports whether id is a JSON-RPC 2.0 request id: a number, a
// string or null.
func validID(id json.RawMessage) bool {
	if len(id) == 0 {
		return false
	}
	switch c := id[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	}
	return string(id) == "null"
}

type wireError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// RemoteError is an error answered by an interpreter. Failure is set when
// Python raised (CodePythonRaised) and carries its type and traceback.
type RemoteError struct {
	Code    int
	Message string
	Failure *reload.Failure
	Process reload.Process
}

func (e *RemoteError) Error() string {
	who := ""
	if e.Process.PID != 0 {
		who = fmt.Sprintf("%s %d: ", e.Process.Kind, e.Process.PID)
	}
	if e.Failure != nil && e.Failure.Type != "" {
		return fmt.Sprintf("%s%s: %s", who, e.Failure.Type, e.Failure.Message)
	}
	return who + e.Message
}

// Format prints the Python traceback too with %+v.
func (e *RemoteError) Format(s fmt.State, verb rune) {
	fmt.Fprint(s, e.Error())
	if verb == 'v' && s.Flag('+') && e.Failure != nil && e.Failure.Traceback != "" {
		fmt.Fprintf(s, "\n%s", e.Failure.Traceback)
	}
}

// Error builds an error for a Handler to return with a specific code.
func Error(code int, format string, args ...any) error {
	return &RemoteError{Code: code, Message: fmt.Sprintf(format, args...)}
}
