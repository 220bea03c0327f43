package reload

import "context"

// Interpreter is one live Python process that speaks the host protocol: the
// embedded host or an agent. Implementations must be safe for concurrent use.
type Interpreter interface {
	// Call sends one request and decodes its result into result (which may be
	// nil). A Python exception comes back as *hostproto.RemoteError.
	Call(ctx context.Context, method string, params, result any) error
	// Process describes the interpreter's process, for reports and messages.
	Process() Process
	// Close releases the connection; it does not stop the process.
	Close() error
}

// Process names the process behind an Interpreter.
type Process struct {
	PID    int    `json:"pid"`
	Kind   string `json:"kind"` // "host" or "agent"
	Socket string `json:"socket,omitempty"`
	// Python and Executable name the interpreter in use (the engine fills them).
	Python     string `json:"python,omitempty"`
	Executable string `json:"executable,omitempty"`
}
