package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON-RPC and LSP error codes.
const (
	CodeParseError           = -32700
	CodeInvalidRequest       = -32600
	CodeMethodNotFound       = -32601
	CodeInvalidParams        = -32602
	CodeInternalError        = -32603
	CodeServerNotInitialized = -32002
	CodeRequestFailed        = -32803
	CodeRequestCancelled     = -32800
)

// Error is a JSON-RPC error object; handlers return it to choose the code.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message) }

// Errorf builds an *Error.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// wire is every JSON-RPC message shape at once.
type wire struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  *string         `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Request is an incoming request (ID set) or notification (ID nil).
type Request struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
}

// IsNotification reports whether no answer is expected.
func (r *Request) IsNotification() bool { return r.ID == nil }

// kind of a decoded message.
type kind int

const (
	kindInvalid kind = iota
	kindRequest
	kindNotification
	kindResponse
)

// classify decodes one message body. For an invalid message it returns an
// *Error to send back and the id it could recover (possibly nil).
func classify(body []byte) (kind, *wire, *Error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if len(trimmed) > 0 && trimmed[0] == '[' && json.Valid(trimmed) {
			return kindInvalid, nil, Errorf(CodeInvalidRequest, "batch requests are not supported")
		}
		if !json.Valid(trimmed) {
			return kindInvalid, nil, Errorf(CodeParseError, "invalid JSON")
		}
		return kindInvalid, nil, Errorf(CodeInvalidRequest, "a message must be a JSON object")
	}
	var m wire
	if err := json.Unmarshal(trimmed, &m); err != nil {
		if !json.Valid(trimmed) {
			return kindInvalid, &wire{ID: sniffID(trimmed)}, Errorf(CodeParseError, "invalid JSON")
		}
		return kindInvalid, &wire{ID: sniffID(trimmed)}, Errorf(CodeInvalidRequest, "invalid message: %v", err)
	}
	if m.ID != nil && !validID(m.ID) {
		return kindInvalid, &wire{}, Errorf(CodeInvalidRequest, "id must be a number or a string")
	}
	if bytes.Equal(m.ID, []byte("null")) && m.Method != nil {
		return kindInvalid, &wire{}, Errorf(CodeInvalidRequest, "a request id must not be null")
	}
	if m.JSONRPC != "2.0" {
		return kindInvalid, &m, Errorf(CodeInvalidRequest, `"jsonrpc" must be "2.0"`)
	}
	if len(m.Params) > 0 && m.Params[0] != '{' && m.Params[0] != '[' && !bytes.Equal(m.Params, []byte("null")) {
		return kindInvalid, &m, Errorf(CodeInvalidRequest, "params must be an object or an array")
	}
	switch {
	case m.Method != nil && *m.Method == "":
		return kindInvalid, &m, Errorf(CodeInvalidRequest, "empty method")
	case m.Method != nil && m.ID != nil:
		return kindRequest, &m, nil
	case m.Method != nil:
		return kindNotification, &m, nil
	case m.ID != nil && (m.Result != nil || m.Error != nil):
		return kindResponse, &m, nil
	}
	return kindInvalid, &m, Errorf(CodeInvalidRequest, "neither a request, a notification nor a response")
}

func validID(id json.RawMessage) bool {
	if bytes.Equal(id, []byte("null")) {
		return true
	}
	var v any
	if json.Unmarshal(id, &v) != nil {
		return false
	}
	switch v.(type) {
	case float64, string:
		return true
	}
	return false
}
