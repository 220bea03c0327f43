package lsp

import (
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/project"
	"github.com/pyreload/pyreload/reload/session"
)

// root is one workspace folder: its live session (reload/session: the
// interpreters, pending saves, the work queue), the settings the client
// gave it, and its published diagnostics. It is the session's Events and
// Workspace (events.go).
type root struct {
	s     *Server
	dir   string // canonical
	sess  *session.Session
	diags *diagSet

	// initOptions and pull (workspace/configuration is supported) are the
	// client's, fixed at initialize.
	initOptions map[string]any
	pull        bool

	mu       sync.Mutex     // mu guards the fields below.
	override map[string]any // from workspace/configuration or didChangeConfiguration
	// lastStartup is the startup failure message last shown.
	lastStartup string
}

// newRoot is called with s.mu held, after initialize.
func newRoot(s *Server, dir string) *root {
	r := &root{s: s, dir: reload.Canonical(dir), initOptions: s.initOptions, pull: s.caps.configuration}
	r.sess = session.New(s.ctx, session.Config{
		Root: r.dir, Events: r, Workspace: r, Log: s.log, OwnHost: true,
		Interpreters: session.Real(s.opts.Exe, s.opts.HostStderr),
	})
	r.diags = newDiagSet(s)
	r.diags.home = r.sess.HomeFile
	return r
}

// loadSettings reads pyproject.toml, initializationOptions and the
// client's workspace/configuration, reporting problems to the log.
func (r *root) loadSettings() (config.Settings, []error) {
	var errs []error
	st, err := config.Load(r.dir)
	if err != nil {
		errs = append(errs, err)
	}
	if st, err = st.Merge(r.initOptions); err != nil {
		errs = append(errs, err)
	}
	if r.pull {
		var res []any
		scope := pathToURI(r.dir)
		section := "pyreload"
		err := r.s.call("workspace/configuration", protocol.ConfigurationParams{
			Items: []protocol.ConfigurationItem{{ScopeURI: &scope, Section: &section}},
		}, &res)
		if err == nil && len(res) == 1 {
			if m, ok := res[0].(map[string]any); ok {
				r.mu.Lock()
				r.override = m
				r.mu.Unlock()
			}
		}
	}
	r.mu.Lock()
	override := r.override
	r.mu.Unlock()
	if st, err = st.Merge(override); err != nil {
		errs = append(errs, err)
	}
	for _, e := range errs {
		r.s.log.Warningf("settings: %v", e)
	}
	return st, errs
}

func didChangeConfiguration(s *Server, p *protocol.DidChangeConfigurationParams) {
	m, _ := p.Settings.(map[string]any)
	for _, r := range s.rootList() {
		if m != nil {
			if inner, ok := m["pyreload"].(map[string]any); ok {
				r.mu.Lock()
				r.override = inner
				r.mu.Unlock()
			}
		}
		s.goSafe("settings", r.sess.SettingsChanged)
	}
}

func didChangeWorkspaceFolders(s *Server, p *protocol.DidChangeWorkspaceFoldersParams) {
	var gone []*root
	s.mu.Lock()
	for _, f := range p.Event.Removed {
		dir := reload.Canonical(projectRoot(uriToPath(f.URI)))
		for n, r := range s.roots {
			if r.dir == dir {
				gone = append(gone, r)
				s.roots = append(s.roots[:n], s.roots[n+1:]...)
				break
			}
		}
	}
	var added []*root
	for _, f := range p.Event.Added {
		r := newRoot(s, projectRoot(uriToPath(f.URI)))
		s.roots = append(s.roots, r)
		added = append(added, r)
	}
	s.mu.Unlock()
	for _, r := range gone {
		s.goSafe("remove "+r.dir, func() { r.clearAll(); r.sess.Stop() })
	}
	for _, r := range added {
		s.goSafe("start "+r.dir, r.sess.Start)
	}
}

// projectRoot is the root pyreload uses for a folder the client names: the
// nearest directory up from it holding pyproject.toml, setup.py, setup.cfg
// or .git (a client with no notion of a project sends a file's own
// folder), else the folder itself.
func projectRoot(dir string) string {
	if root, found := project.FindRoot(dir); found {
		return root
	}
	return dir
}

// adoptRoot gives a file opened by a client that named no workspace
// folder its project's root (walking up from the file), started at once.
// Files of no project are left alone, and so are files outside the folders
// a client did name (a library's source opened by "go to definition" must
// not start that library's app).
func (s *Server) adoptRoot(path string) {
	if len(s.rootList()) > 0 {
		return
	}
	dir, found := project.FindRoot(path)
	if !found {
		return
	}
	s.mu.Lock()
	for _, r := range s.roots {
		if r.dir == reload.Canonical(dir) {
			s.mu.Unlock()
			return
		}
	}
	r := newRoot(s, dir)
	s.roots = append(s.roots, r)
	s.mu.Unlock()
	s.log.Infof("%s is in no workspace folder: serving its project %s", path, r.dir)
	s.goSafe("start "+r.dir, r.sess.Start)
}

// rootOf returns the innermost root holding the canonical path.
func (s *Server) rootOf(path string) *root {
	var best *root
	for _, r := range s.rootList() {
		if (path == r.dir || isUnder(path, r.dir)) && (best == nil || len(r.dir) > len(best.dir)) {
			best = r
		}
	}
	return best
}
