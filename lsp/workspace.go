package lsp

import (
	"slices"
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/project"
	"github.com/pyreload/pyreload/reload/supervise"
)

// root is one workspace folder with its interpreters, settings, pending
// reloads and published diagnostics.
type root struct {
	s     *Server
	dir   string // canonical
	ready chan struct{}
	wake  chan struct{} // nudges the worker
	diags *diagSet

	readyOnce sync.Once

	mu       sync.Mutex // mu guards the fields below.
	settings config.Settings
	override map[string]any // from workspace/configuration or didChangeConfiguration
	host     *supervise.Host
	hostQuit chan struct{}
	attached []reload.Interpreter
	fleet    *reload.Fleet
	loaded   map[string]bool     // workspace packages loaded in the interpreters
	hashes   map[string][32]byte // package → content hash at the last reload
	pending  map[string]*pendingReload
	jobs     []*job
	crash    crashLoop // crash has its own mutex.
	// lastStartup is the startup failure message last shown.
	lastStartup string
	// startup holds what failed while the interpreter started, as published.
	startup startupState
	// reportedPath is the root's directories on the interpreters' sys.path,
	// as their status said (see layout.go).
	reportedPath []string
	// pythons names the interpreters for pyreload/status.
	pythons []pythonInfo
}

// startupState is what the embedded host was to import when it started and
// what failed then: imports that raised, and the entry.
type startupState struct {
	packages []string
	failures []reload.Failure
	entry    *reload.Failure
}

func newRoot(s *Server, dir string) *root {
	r := &root{
		s: s, dir: reload.Canonical(dir), ready: make(chan struct{}), wake: make(chan struct{}, 1),
		settings: config.Default(), hashes: map[string][32]byte{}, pending: map[string]*pendingReload{},
		loaded: map[string]bool{},
	}
	r.diags = newDiagSet(s)
	r.diags.home = r.homeFile
	go r.work()
	return r
}

func (r *root) currentSettings() config.Settings {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.settings
}

// reloadSettingsQuiet reads pyproject.toml, initializationOptions and the
// client's workspace/configuration, reporting problems to the log.
func (r *root) reloadSettingsQuiet() []error {
	var errs []error
	st, err := config.Load(r.dir)
	if err != nil {
		errs = append(errs, err)
	}
	r.s.mu.Lock()
	initOpts, pull := r.s.initOptions, r.s.caps.configuration
	r.s.mu.Unlock()
	if st, err = st.Merge(initOpts); err != nil {
		errs = append(errs, err)
	}
	if pull {
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
	if st, err = st.Merge(r.override); err != nil {
		errs = append(errs, err)
	}
	r.settings = st
	r.mu.Unlock()
	for _, e := range errs {
		r.s.log.Warningf("settings: %v", e)
	}
	return errs
}

// reloadSettings re-reads the settings, tells the user about mistakes, and
// restarts the embedded host when what it runs changed.
func (r *root) reloadSettings() {
	before := r.currentSettings()
	for _, err := range r.reloadSettingsQuiet() {
		r.s.showMessage(protocol.MessageTypeWarning, "pyreload settings: "+err.Error())
	}
	after := r.currentSettings()
	r.mu.Lock()
	embedded := r.host != nil
	r.mu.Unlock()
	if embedded && (before.Entry != after.Entry || before.PythonPath != after.PythonPath ||
		!slices.Equal(before.Packages, after.Packages) || !slices.Equal(before.Paths, after.Paths)) {
		r.enqueue(&job{kind: jobRestart})
	}
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
		s.goSafe("settings", r.reloadSettings)
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
		s.goSafe("remove "+r.dir, func() { r.clearAll(); r.stop() })
	}
	for _, r := range added {
		s.goSafe("start "+r.dir, r.start)
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
	s.goSafe("start "+r.dir, r.start)
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
