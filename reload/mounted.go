package reload

import (
	"context"
	"path/filepath"
	"strings"
)

// Mounted wraps an interpreter whose process sees the workspace under
// another path, like an agent in a container with the root mounted at
// remoteRoot: a file named in a request is mapped from localRoot to
// remoteRoot, and every path in a Report or Status that comes back is
// mapped to localRoot, so that diagnostics land on the files the editor
// has open. Paths outside remoteRoot (the container's stdlib) stay as
// they are.
func Mounted(in Interpreter, remoteRoot, localRoot string) Interpreter {
	remote, local := filepath.Clean(remoteRoot), filepath.Clean(localRoot)
	if remote == local {
		return in
	}
	return &mounted{Interpreter: in, toLocal: rebase(remote, local), toRemote: rebase(local, remote)}
}

type mounted struct {
	Interpreter
	toLocal, toRemote func(string) string
}

func (m *mounted) Call(ctx context.Context, method string, params, result any) error {
	switch p := params.(type) {
	case ReloadParams:
		p.File = m.toRemote(p.File)
		params = p
	case *ReloadParams:
		q := *p
		q.File = m.toRemote(q.File)
		params = &q
	}
	err := m.Interpreter.Call(ctx, method, params, result)
	switch r := result.(type) {
	case *Report:
		r.mapPaths(m.toLocal)
	case *Status:
		r.mapPaths(m.toLocal)
	}
	return err
}

// rebase returns a function that moves a path under from to the same place
// under to; other paths (and "") are returned unchanged.
func rebase(from, to string) func(string) string {
	return func(p string) string {
		if p == from {
			return to
		}
		if rest, ok := strings.CutPrefix(p, from+string(filepath.Separator)); ok {
			return filepath.Join(to, rest)
		}
		return p
	}
}

func (r *Report) mapPaths(move func(string) string) {
	r.Error.mapPaths(move)
	for n := range r.Stale {
		s := &r.Stale[n]
		s.File = move(s.File)
		if s.New != nil {
			s.New.File = move(s.New.File)
		}
	}
}

func (s *Status) mapPaths(move func(string) string) {
	s.Root = move(s.Root)
	for n := range s.SysPath {
		s.SysPath[n] = move(s.SysPath[n])
	}
	s.EntryError.mapPaths(move)
	for n := range s.StartupFailures {
		s.StartupFailures[n].mapPaths(move)
	}
}

// mapPaths moves the failure's file; its traceback keeps the paths the
// process printed.
func (f *Failure) mapPaths(move func(string) string) {
	if f != nil {
		f.File = move(f.File)
	}
}
