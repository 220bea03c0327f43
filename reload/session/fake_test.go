package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
)

// The fakes of these tests stand for the interpreters only: a session's
// scheduling, retries and crash handling run for real against them, on a
// real root on disk. The real interpreters are tested end to end through
// the language server (lsp/lsptest) and `reload --watch` (cmd/pyreload).

// fakeInterp answers the host protocol from memory.
type fakeInterp struct {
	pid  int
	kind string
	role string // ping's role: "run" for a `pyreload run`

	mu       sync.Mutex // mu guards the fields below.
	packages []string   // loaded, as status says
	sysPath  []string
	calls    []string                                  // "reload shop", "fix shop", "import shop", ...
	failing  map[string]bool                           // packages whose import raises
	gate     chan struct{}                             // when set, reloads wait on it
	dead     bool                                      // every call fails
	entryErr *reload.Failure                           // status\'s entry_error
	reloaded func(p reload.ReloadParams) reload.Report // nil: OK, no findings
}

func newFakeInterp(pid int, root string, packages ...string) *fakeInterp {
	return &fakeInterp{pid: pid, kind: "agent", packages: packages, sysPath: []string{root}, failing: map[string]bool{}}
}

func (f *fakeInterp) Call(ctx context.Context, method string, params, result any) error {
	f.mu.Lock()
	if f.dead {
		f.mu.Unlock()
		return errors.New("connection refused")
	}
	var answer any
	switch method {
	case "ping":
		answer = map[string]string{"role": f.role}
	case "status":
		answer = reload.Status{PID: f.pid, Kind: f.kind, Python: "3.11.2", Packages: f.packages, SysPath: f.sysPath,
			EntryError: f.entryErr}
	case "import":
		var res struct {
			Imported []string         `json:"imported"`
			Failures []reload.Failure `json:"failures"`
		}
		for _, m := range params.(map[string]any)["modules"].([]string) {
			f.calls = append(f.calls, "import "+m)
			if f.failing[m] {
				res.Failures = append(res.Failures, reload.Failure{Module: m, Type: "SyntaxError", Message: "invalid syntax"})
				continue
			}
			res.Imported = append(res.Imported, m)
			f.packages = append(f.packages, m)
		}
		answer = res
	case "reload":
		p := params.(reload.ReloadParams)
		f.calls = append(f.calls, "reload "+p.Package)
		gate, reloaded := f.gate, f.reloaded
		f.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		rep := reload.Report{Action: "reload", Package: p.Package, OK: true}
		if reloaded != nil {
			rep = reloaded(p)
		}
		return roundTrip(rep, result)
	case "fix":
		p := params.(reload.FixParams)
		f.calls = append(f.calls, "fix "+p.Kind+" "+p.Package)
		answer = reload.Report{Action: "fix", Package: p.Package, OK: true}
	default:
		answer = map[string]any{}
	}
	f.mu.Unlock()
	return roundTrip(answer, result)
}

func roundTrip(v, result any) error {
	if result == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, result)
}

func (f *fakeInterp) Process() reload.Process { return reload.Process{PID: f.pid, Kind: f.kind} }
func (f *fakeInterp) Close() error            { return nil }

// called returns the calls so far.
func (f *fakeInterp) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeInterp) set(change func(f *fakeInterp)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// fakeHost is an embedded host: its process "ends" when the test says.
type fakeHost struct {
	in *fakeInterp

	mu       sync.Mutex // mu guards the fields below.
	exited   chan Exit
	restarts int
}

func (h *fakeHost) Interpreter() reload.Interpreter { return h.in }
func (h *fakeHost) PID() int                        { return h.in.pid }
func (h *fakeHost) Stop() error                     { return nil }

func (h *fakeHost) Exited() <-chan Exit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exited
}

func (h *fakeHost) Restart(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.exited = make(chan Exit, 1)
	h.restarts++
	return nil
}

// restarted is how many times the host was restarted.
func (h *fakeHost) restarted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.restarts
}

// die ends the host's process as e says.
func (h *fakeHost) die(e Exit) {
	h.in.set(func(f *fakeInterp) { f.dead = true })
	h.mu.Lock()
	defer h.mu.Unlock()
	h.exited <- e
}

// fakeInterps hands out the live interpreters the test sets and starts
// fake hosts.
type fakeInterps struct {
	root string

	mu       sync.Mutex // mu guards the fields below.
	live     []reload.Interpreter
	hosts    []*fakeHost
	failing  []string        // packages a new host fails to import
	entryErr *reload.Failure // the entry error a new host\'s status reports
	startErr error
}

func (f *fakeInterps) Discover(string, []config.Attach) ([]reload.Interpreter, []error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []reload.Interpreter
	for _, in := range f.live {
		if fi, ok := in.(*fakeInterp); ok && fi.isDead() {
			continue
		}
		out = append(out, in)
	}
	return out, nil, nil
}

func (f *fakeInterp) isDead() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dead
}

func (f *fakeInterps) StartHost(_ context.Context, root string, _ config.Settings) (Host, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return nil, f.startErr
	}
	in := newFakeInterp(1000+len(f.hosts), root)
	in.kind = "host"
	for _, m := range f.failing {
		in.failing[m] = true
	}
	in.entryErr = f.entryErr
	h := &fakeHost{in: in, exited: make(chan Exit, 1)}
	f.hosts = append(f.hosts, h)
	return h, nil
}

// host returns the n-th host started (from 0), or nil.
func (f *fakeInterps) host(n int) *fakeHost {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n < len(f.hosts) {
		return f.hosts[n]
	}
	return nil
}

func (f *fakeInterps) started() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hosts)
}

// owner records a session's events and answers as its workspace.
type owner struct {
	mu       sync.Mutex // mu guards the fields below.
	settings config.Settings
	unsaved  map[string]bool
	done     []Done
	failed   []error
	statuses []Status
	messages []string
	startup  [][]reload.Failure
}

func (o *owner) Reported(d Done) { o.mu.Lock(); o.done = append(o.done, d); o.mu.Unlock() }
func (o *owner) Failed(_ string, err error) {
	o.mu.Lock()
	o.failed = append(o.failed, err)
	o.mu.Unlock()
}
func (o *owner) Status(st Status) { o.mu.Lock(); o.statuses = append(o.statuses, st); o.mu.Unlock() }
func (o *owner) Message(l Level, text string) {
	o.mu.Lock()
	o.messages = append(o.messages, fmt.Sprintf("%d %s", l, text))
	o.mu.Unlock()
}
func (o *owner) Progress(string) func(string) { return func(string) {} }
func (o *owner) Startup(failures []reload.Failure, _ *reload.Failure) {
	o.mu.Lock()
	o.startup = append(o.startup, failures)
	o.mu.Unlock()
}
func (o *owner) Cleared() {}
func (o *owner) Settings() config.Settings {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.settings
}
func (o *owner) Unsaved(path string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.unsaved[path]
}

// with reads the owner's records under its lock.
func (o *owner) with(f func(o *owner)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f(o)
}

// states lists the status states so far.
func (o *owner) states() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, st := range o.statuses {
		out = append(out, st.State)
	}
	return out
}

// waitState waits until the last status is state.
func (o *owner) waitState(t *testing.T, state string) {
	t.Helper()
	require.Eventually(t, func() bool {
		st := o.states()
		return len(st) > 0 && st[len(st)-1] == state
	}, 5*time.Second, 5*time.Millisecond, "status %s; had %v", state, o.states())
}

// workspace writes a root with packages shop and other.
func workspace(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	for name, text := range map[string]string{
		"shop/__init__.py": "", "shop/core.py": "x = 1\n", "other/__init__.py": "", "other/a.py": "y = 1\n",
	} {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	return root
}

// edit changes a file of the root and returns its path.
func edit(t *testing.T, root, rel, text string) string {
	t.Helper()
	p := filepath.Join(root, rel)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}
