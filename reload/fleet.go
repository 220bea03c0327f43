package reload

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Fleet is every interpreter of one workspace root. Its calls go to all of
// them at once, each with its own deadline, and their reports are merged: a
// process that dies or hangs is reported by pid and never blocks the others.
type Fleet struct {
	interps []Interpreter
}

// NewFleet groups interpreters.
func NewFleet(interps ...Interpreter) *Fleet { return &Fleet{interps: interps} }

// Len is the number of interpreters.
func (f *Fleet) Len() int { return len(f.interps) }

// callMargin is added to an engine timeout before a client gives up.
const callMargin = 5 * time.Second

// EngineDefaultTimeout is the engine's own deadline for a reload whose
// request gives no timeout_ms (engine/watchdog.py DEFAULT_SECONDS; a test
// checks that they agree).
const EngineDefaultTimeout = 30 * time.Second

// defaultReloadTimeout is how long the fleet waits for an interpreter when
// the request gives no timeout_ms: the host's own bound on an engine call
// (pyhost/hostserver defaultTimeout), past the engine's deadline.
const defaultReloadTimeout = 60 * time.Second

// Reload deep-reloads in every interpreter.
func (f *Fleet) Reload(ctx context.Context, p ReloadParams) (Report, error) {
	return f.fanOut(ctx, "reload", p, p.TimeoutMS)
}

// Fix applies fixes in every interpreter and returns the rescanned report.
func (f *Fleet) Fix(ctx context.Context, p FixParams) (Report, error) {
	return f.fanOut(ctx, "fix", p, 0)
}

func (f *Fleet) fanOut(ctx context.Context, method string, params any, timeoutMS int) (Report, error) {
	if len(f.interps) == 0 {
		return Report{}, ErrNoInterpreter
	}
	timeout := defaultReloadTimeout
	if timeoutMS > 0 {
		timeout = time.Duration(timeoutMS) * time.Millisecond
	}
	reports := make([]Report, len(f.interps))
	errs := make([]error, len(f.interps))
	var wg sync.WaitGroup
	for n, in := range f.interps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout+callMargin)
			defer cancel()
			errs[n] = in.Call(cctx, method, params, &reports[n])
			if reports[n].Process == nil {
				p := in.Process()
				reports[n].Process = &p
			}
		}()
	}
	wg.Wait()
	return Merge(reports, errs, f.processes())
}

func (f *Fleet) processes() []Process {
	out := make([]Process, len(f.interps))
	for n, in := range f.interps {
		out[n] = in.Process()
	}
	return out
}

// ErrNoInterpreter means no interpreter is reachable for the root.
var ErrNoInterpreter = fmt.Errorf("no interpreter is reachable for this root")
