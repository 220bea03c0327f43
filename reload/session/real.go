package session

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/attach"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/project"
	"github.com/pyreload/pyreload/reload/supervise"
)

// Interpreters is where a session's interpreters come from.
type Interpreters interface {
	// Discover connects to the live interpreters of root (hosts, `pyreload
	// run`s, agents) and the agents named: what it reached, one error per
	// named agent it could not reach, and the error of looking.
	Discover(root string, named []config.Attach) (ins []reload.Interpreter, unreachable []error, err error)
	// StartHost starts an embedded host for root with st (its entry, its
	// Python, its paths) and returns once it answers.
	StartHost(ctx context.Context, root string, st config.Settings) (Host, error)
}

// Host is an embedded host the session started (supervise.Host).
type Host interface {
	Interpreter() reload.Interpreter
	PID() int
	// Exited delivers one supervise.Exit when the current process ends.
	Exited() <-chan supervise.Exit
	// Restart stops the current process and starts a new one.
	Restart(ctx context.Context) error
	Stop() error
}

// Real returns the interpreters of this machine: sockets and agents found
// by reload/attach, hosts started by reload/supervise running exe (empty:
// this binary), their stderr to hostStderr (nil: discarded).
func Real(exe string, hostStderr io.Writer) Interpreters {
	return realInterpreters{exe: exe, stderr: hostStderr}
}

type realInterpreters struct {
	exe    string
	stderr io.Writer
}

func (realInterpreters) Discover(root string, named []config.Attach) ([]reload.Interpreter, []error, error) {
	return attach.Interpreters(root, named)
}

// StartHost finds the project's Python the way pyright and ruff do
// (project.FindPython) and starts a host in it.
func (r realInterpreters) StartHost(ctx context.Context, root string, st config.Settings) (Host, error) {
	py, err := project.FindPython(root, st.PythonPath, os.Getenv)
	if err != nil {
		return nil, err
	}
	h, err := supervise.Start(ctx, supervise.Options{
		HostOptions: hostproto.HostOptions{Root: root, Entry: st.Entry, PythonPath: py.Path, Paths: project.SysPath(root, st.Paths)},
		Exe:         r.exe, Stderr: r.stderr,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", py, err)
	}
	return h, nil
}

// Exit is how a host process ended.
type Exit = supervise.Exit
