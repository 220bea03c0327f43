package session

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
)

// Events is what a session tells its owner.
type Events interface {
	// Reported: a reload or fix finished with a report.
	Reported(d Done)
	// Failed: a reload or fix of pkg came to no report (see the Err
	// values); ErrUnchanged is not reported.
	Failed(pkg string, err error)
	// Status: the root's interpreters changed.
	Status(st Status)
	// Message: something to tell the user, one line.
	Message(level Level, text string)
	// Progress: long work began; the owner may show it until end is called
	// with a one-line summary.
	Progress(title string) (end func(summary string))
	// Startup: what failed while the embedded host started (replaces the
	// last such call; both empty clears it).
	Startup(failures []reload.Failure, entry *reload.Failure)
	// Cleared: the interpreters are gone, and with them every finding.
	Cleared()
}

// Workspace is what a session asks its owner.
type Workspace interface {
	// Settings reads the root's settings afresh (pyproject.toml and what
	// the editor says); telling the user about mistakes is the owner's job.
	Settings() config.Settings
	// Unsaved reports whether a file at or under path has unsaved edits.
	Unsaved(path string) bool
}

// Logger receives the session's log (commonlog.Logger is one).
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warningf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Level is a message's severity.
type Level int

// Message levels.
const (
	Info Level = iota
	Warning
	Error
)

// Done is one finished reload or fix.
type Done struct {
	Package string
	// Trigger is the saved file that started the reload, if any.
	Trigger string
	Report  reload.Report
	// Fixed is the report of the fix Config.FixAfter ran after the reload.
	Fixed *reload.Report
}

// Last is the report that stands: the fix's when one followed.
func (d Done) Last() reload.Report {
	if d.Fixed != nil {
		return *d.Fixed
	}
	return d.Report
}

// Status is the state of the root's interpreters: "ready", "restarting" or
// "failed" (Reason and, when known, File: the file whose fix and save start
// the host again).
type Status struct {
	State        string
	PIDs         []int
	Interpreters []Python // when ready
	Reason, File string
}

// Python names one interpreter of the root: the Python it runs and how it
// is hosted ("host": the embedded CPython; "agent").
type Python struct {
	PID        int    `json:"pid"`
	Kind       string `json:"kind"`
	Python     string `json:"python"`
	Executable string `json:"executable"`
}

// Config says how a session runs.
type Config struct {
	Root         string
	Events       Events
	Workspace    Workspace
	Interpreters Interpreters
	Log          Logger
	// OwnHost starts an embedded host when no interpreter of the root
	// answers, restarts it when it dies, and steps it aside for a `pyreload
	// run` (the language server). Without it the session only attaches, and
	// discovers the interpreters again before each reload (reload --watch).
	OwnHost bool
	// What every save-triggered reload does besides the settings: re-run
	// every module (All), re-run named statements (Reset), then apply a
	// fix kind (FixAfter) when the reload succeeded.
	All      bool
	Reset    []string
	FixAfter string
}

// Session is one root's interpreters, pending saves and work queue.
type Session struct {
	cfg    Config
	dir    string // canonical
	ctx    context.Context
	cancel context.CancelFunc
	ready  chan struct{} // closed once Start connected the interpreters
	wake   chan struct{} // nudges the worker
	crash  crashLoop     // crash has its own mutex.

	readyOnce sync.Once

	mu       sync.Mutex // mu guards the fields below.
	settings config.Settings
	host     Host
	hostQuit chan struct{}
	attached []reload.Interpreter
	fleet    *reload.Fleet
	loaded   map[string]bool     // workspace packages loaded in the interpreters
	hashes   map[string][32]byte // package → content hash at the last reload
	pending  map[string]*pendingReload
	jobs     []*job
	startup  startupState
	// reportedPath is the root's directories on the interpreters' sys.path,
	// as their status said (layout.go).
	reportedPath []string
	pythons      []Python
}

// startupState is what the embedded host was to import when it started and
// what failed then: imports that raised, and the entry.
type startupState struct {
	packages []string
	failures []reload.Failure
	entry    *reload.Failure
}

// New returns the session of cfg.Root, its worker running until ctx ends or
// Stop; Start connects it to its interpreters.
func New(ctx context.Context, cfg Config) *Session {
	if cfg.Interpreters == nil {
		cfg.Interpreters = Real("", nil)
	}
	if cfg.Log == nil {
		cfg.Log = quiet{}
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Session{
		cfg: cfg, dir: reload.Canonical(cfg.Root), ctx: ctx, cancel: cancel,
		ready: make(chan struct{}), wake: make(chan struct{}, 1),
		settings: config.Default(), hashes: map[string][32]byte{}, pending: map[string]*pendingReload{},
		loaded: map[string]bool{},
	}
	go s.work()
	return s
}

// Settings are the settings the session last read.
func (s *Session) Settings() config.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// readSettings reads the owner's settings and keeps them.
func (s *Session) readSettings() config.Settings {
	st := s.cfg.Workspace.Settings()
	s.mu.Lock()
	s.settings = st
	s.mu.Unlock()
	return st
}

// SettingsChanged reads the settings again and restarts the embedded host
// when what it runs changed.
func (s *Session) SettingsChanged() {
	before := s.Settings()
	after := s.readSettings()
	s.mu.Lock()
	embedded := s.host != nil
	s.mu.Unlock()
	if embedded && (before.Entry != after.Entry || before.PythonPath != after.PythonPath ||
		!slices.Equal(before.Packages, after.Packages) || !slices.Equal(before.Paths, after.Paths)) {
		s.enqueue(&job{kind: jobRestart})
	}
}

// Stop ends the session: its worker, the embedded host, and the attached
// connections (the processes go on).
func (s *Session) Stop() {
	s.cancel()
	s.mu.Lock()
	h, quit := s.host, s.hostQuit
	s.host = nil
	s.mu.Unlock()
	if h != nil {
		close(quit)
		if err := h.Stop(); err != nil {
			s.cfg.Log.Warningf("%s: %v", s.dir, err)
		}
	}
	s.closeAttached()
}

// message tells the user one line.
func (s *Session) message(level Level, format string, args ...any) {
	s.cfg.Events.Message(level, fmt.Sprintf(format, args...))
}

// goSafe runs f in a goroutine, safely.
func (s *Session) goSafe(what string, f func()) {
	go s.safely(what, f)
}

// safely runs f; a panic (in the session or in its owner's Events) is
// logged, never fatal.
func (s *Session) safely(what string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Log.Errorf("bug: panic in %s: %v", what, p)
		}
	}()
	f()
}

// quiet is the logger of a session given none.
type quiet struct{}

func (quiet) Debugf(string, ...any)   {}
func (quiet) Infof(string, ...any)    {}
func (quiet) Warningf(string, ...any) {}
func (quiet) Errorf(string, ...any)   {}
