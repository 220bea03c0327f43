package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/session"
)

// watchDebounce collapses a burst of file events (an editor's save is
// several) into one reload: [tool.pyreload] debounceMs, else 200 ms.
func watchDebounce(st config.Settings) time.Duration {
	if st.DebounceMS > 0 {
		return time.Duration(st.DebounceMS) * time.Millisecond
	}
	return config.DefaultDebounceMS * time.Millisecond
}

// watchCommand is `pyreload reload --watch [PACKAGE...]`: the language
// server's session (reload/session) without an editor. The root is watched
// recursively; after each burst of changes to a package's .py files it is
// reloaded (only the named packages, if any) in every interpreter of the
// root as found right then, and each report printed, until Ctrl-C. It
// never starts an interpreter of its own.
func watchCommand(o cliOptions, packages []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := &watchOutput{root: o.root, asJSON: o.asJSON, stdout: os.Stdout, stderr: os.Stderr}
	sess := session.New(ctx, session.Config{
		Root: o.root, Events: out, Workspace: watchWorkspace{o}, Interpreters: cliInterpreters{o},
		All: o.all, Reset: o.reset, FixAfter: o.fix,
	})
	defer sess.Stop()
	sess.Start()
	w, err := session.WatchTree(sess, packages)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload reload --watch: %v\n", err)
		return exitSoftware
	}
	defer w.Close()
	w.Errors = func(err error) { fmt.Fprintf(os.Stderr, "pyreload: watch: %v\n", err) }
	what := "every package"
	if len(packages) > 0 {
		what = strings.Join(w.Only(), ", ")
	}
	fmt.Fprintf(os.Stderr, "pyreload: watching %s for changes to %s; Ctrl-C to stop\n", o.root, what)
	w.Run(ctx)
	return exitOK
}

// watchWorkspace is the watch's settings: [tool.pyreload], read again when
// pyproject.toml is saved, with the command line's --mode and --timeout.
// Every change is a save to reload, whatever onSave says.
type watchWorkspace struct{ o cliOptions }

func (w watchWorkspace) Settings() config.Settings {
	st := loadSettings(w.o.root)
	st.OnSave = true
	st.DebounceMS = int(watchDebounce(st).Milliseconds())
	if w.o.mode != "" {
		st.Mode = w.o.mode
	}
	st.ReloadTimeoutMS = int(w.o.timeout.Milliseconds())
	return st
}

// Unsaved: no editor holds unsaved files.
func (watchWorkspace) Unsaved(string) bool { return false }

// cliInterpreters are the interpreters the command line reaches: the
// root's sockets and [tool.pyreload] attach, or --tcp's one agent.
type cliInterpreters struct{ o cliOptions }

func (c cliInterpreters) Discover(root string, named []config.Attach) ([]reload.Interpreter, []error, error) {
	o := c.o
	o.settings.Attach = named
	ins, err := discover(o, os.Stderr)
	return ins, nil, err
}

func (cliInterpreters) StartHost(context.Context, string, config.Settings) (session.Host, error) {
	return nil, errors.New("reload --watch starts no interpreter")
}

// watchOutput prints what the session reports: human lines, or one JSON
// object a line (the reload's report, then the fix's).
type watchOutput struct {
	root           string
	asJSON         bool
	stdout, stderr io.Writer
}

func (w *watchOutput) Reported(d session.Done) {
	if !w.asJSON {
		printReport(w.stdout, w.stderr, w.root, d.Last())
		return
	}
	enc := json.NewEncoder(w.stdout)
	enc.Encode(d.Report)
	if d.Fixed != nil {
		enc.Encode(d.Fixed)
	}
}

func (w *watchOutput) Failed(pkg string, err error) {
	switch {
	case errors.Is(err, session.ErrNoInterpreter):
		fmt.Fprintf(w.stderr, "pyreload: %s changed, but no interpreter is reachable for %s\n", pkg, w.root)
	case w.asJSON:
		json.NewEncoder(w.stdout).Encode(map[string]string{"package": pkg, "error": err.Error()})
	default:
		fmt.Fprintf(w.stderr, "pyreload reload: %s: %v\n", pkg, err)
	}
}

func (w *watchOutput) Message(_ session.Level, text string) { fmt.Fprintln(w.stderr, text) }

func (*watchOutput) Status(session.Status)                     {}
func (*watchOutput) Progress(string) func(string)              { return func(string) {} }
func (*watchOutput) Startup([]reload.Failure, *reload.Failure) {}
func (*watchOutput) Cleared()                                  {}
