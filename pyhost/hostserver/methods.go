package hostserver

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/pyreload/pyreload/pyhost"
	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// Handle answers one host-protocol request.
func (h *Server) Handle(ctx context.Context, method string, params json.RawMessage) (any, error) {
	switch method {
	case "ping":
		role := "serve"
		if h.opts.ExitWithEntry {
			role = "run"
		}
		return map[string]any{"pong": true, "pid": os.Getpid(), "kind": "host", "role": role}, nil
	case "status":
		return h.status(ctx)
	case "import":
		timeoutMS, _, err := hostproto.RequestTimeout(params)
		if err != nil {
			return nil, err
		}
		var p struct {
			Modules []string `json:"modules"`
		}
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		return h.serialized(ctx, timeoutMS, "host_import", p.Modules)
	case "run":
		var p struct {
			Entry string   `json:"entry"`
			Argv  []string `json:"argv"`
		}
		if err := decode(params, &p); err != nil || p.Entry == "" {
			return nil, hostproto.Error(hostproto.CodeInvalidParams, "run needs {\"entry\": ...}")
		}
		return h.startEntry(p.Entry, p.Argv)
	case "call":
		var p struct {
			Target string `json:"target"`
			Args   []any  `json:"args"`
		}
		if err := decode(params, &p); err != nil || p.Target == "" {
			return nil, hostproto.Error(hostproto.CodeInvalidParams, "call needs {\"target\": \"module:function\"}")
		}
		if p.Args == nil {
			p.Args = []any{}
		}
		ctx, cancel := withDefault(ctx, 0)
		defer cancel()
		var out json.RawMessage
		err := h.callJSON(ctx, &out, "host_call", p.Target, p.Args)
		return out, pythonError(err)
	case "reload", "scan", "fix":
		timeoutMS, params, err := hostproto.RequestTimeout(params)
		if err != nil {
			return nil, err
		}
		var p struct{} // params must be an object
		if err := decode(params, &p); err != nil {
			return nil, err
		}
		return h.serialized(ctx, timeoutMS, "host_handle", method, params)
	case "shutdown":
		var p struct {
			StepAside bool `json:"step_aside"`
		}
		decode(params, &p) // bad params still shut down
		code := 0
		if p.StepAside {
			code = hostproto.ExitSteppedAside
		}
		go func() {
			time.Sleep(10 * time.Millisecond) // let the answer go out first
			h.exit(code)
		}()
		return map[string]any{}, nil
	}
	return nil, hostproto.Error(hostproto.CodeUnknownMethod, "unknown method %q", method)
}

// engineGrace lets the engine's own deadline (timeout_ms) interrupt and roll
// back a blocking reload before pyhost's backstop interrupts the call.
const engineGrace = 2 * time.Second

// serialized runs an engine call with no other engine call in flight.
func (h *Server) serialized(ctx context.Context, timeoutMS int, fn string, args ...any) (any, error) {
	h.engineMu.Lock()
	defer h.engineMu.Unlock()
	if timeoutMS > 0 {
		timeoutMS += int(engineGrace / time.Millisecond) // the engine's own deadline goes first
	}
	ctx, cancel := withDefault(ctx, timeoutMS)
	defer cancel()
	var out json.RawMessage
	if err := h.callJSON(ctx, &out, fn, args...); err != nil {
		var pe *pyhost.PyError
		if fn == "host_handle" && errors.As(err, &pe) && pe.Type == "ValueError" {
			return nil, hostproto.Error(hostproto.CodeInvalidParams, "%s", pe.Message)
		}
		return nil, pythonError(err)
	}
	return out, nil
}

func (h *Server) status(ctx context.Context) (any, error) {
	ctx, cancel := withDefault(ctx, 5000)
	defer cancel()
	var st map[string]any
	if err := h.callJSON(ctx, &st, "host_status"); errors.Is(err, pyhost.ErrDeadline) {
		// User code has held the GIL past the deadline (a long C call, a
		// big collection): answer with what Go knows, marked busy.
		st = map[string]any{"busy": true, "executable": h.interp.Executable(), "entry_state": "unknown"}
	} else if err != nil {
		return nil, pythonError(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st["pid"], st["kind"], st["root"] = os.Getpid(), "host", h.opts.Root
	st["startup_failures"] = h.startup
	if _, ok := st["packages"]; !ok {
		st["packages"] = h.imported
	}
	return st, nil
}

func withDefault(ctx context.Context, timeoutMS int) (context.Context, context.CancelFunc) {
	d := defaultTimeout
	if timeoutMS > 0 {
		d = time.Duration(timeoutMS) * time.Millisecond
	}
	return context.WithTimeout(ctx, d)
}

func decode(params json.RawMessage, v any) error {
	if len(params) == 0 || string(params) == "null" {
		return nil
	}
	if err := json.Unmarshal(params, v); err != nil {
		return hostproto.Error(hostproto.CodeInvalidParams, "bad params: %v", err)
	}
	return nil
}

// pythonError turns pyhost errors into protocol errors.
func pythonError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pyhost.ErrDeadline) {
		return hostproto.Error(hostproto.CodeDeadline, "%v", err)
	}
	var pe *pyhost.PyError
	if errors.As(err, &pe) {
		return &hostproto.RemoteError{Code: hostproto.CodePythonRaised, Message: pe.Error(), Failure: &reload.Failure{
			Type: pe.Type, Message: pe.Message, File: pe.File, Line: pe.Line, Column: pe.Column, Traceback: pe.Traceback,
		}}
	}
	return err
}
