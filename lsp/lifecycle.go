package lsp

import (
	"encoding/json"
	"sync"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// Code action kinds and commands the server offers.
const (
	KindDeepReload = "source.deepReload.pyreload"
	KindFixAll     = "source.fixAll.pyreload"
	KindQuickFix   = "quickfix"

	CmdDeepReload         = "pyreload.deepReload"
	CmdRebind             = "pyreload.rebind"
	CmdPatchInPlace       = "pyreload.patchInPlace"
	CmdReloadDependents   = "pyreload.reloadDependents"
	CmdFixAll             = "pyreload.fixAll"
	CmdRestartInterpreter = "pyreload.restartInterpreter"
)

// Commands lists every command of executeCommandProvider.
var Commands = []string{CmdDeepReload, CmdRebind, CmdPatchInPlace, CmdReloadDependents, CmdFixAll, CmdRestartInterpreter}

// clientCaps is what the server uses of the client's capabilities.
type clientCaps struct {
	workDoneProgress bool
	configuration    bool
}

// initializeParams is decoded by hand: glsp's InitializeParams loses
// progress tokens and rejects some clients' capability shapes.
type initializeParams struct {
	RootURI          *string                    `json:"rootUri"`
	RootPath         *string                    `json:"rootPath"`
	WorkspaceFolders []protocol.WorkspaceFolder `json:"workspaceFolders"`
	InitOptions      any                        `json:"initializationOptions"`
	Capabilities     struct {
		Window struct {
			WorkDoneProgress bool `json:"workDoneProgress"`
		} `json:"window"`
		Workspace struct {
			Configuration bool `json:"configuration"`
		} `json:"workspace"`
	} `json:"capabilities"`
}

func initialize(s *Server, p *initializeParams) (any, error) {
	var dirs []string
	for _, f := range p.WorkspaceFolders {
		dirs = append(dirs, uriToPath(f.URI))
	}
	if len(dirs) == 0 && p.RootURI != nil && *p.RootURI != "" {
		dirs = append(dirs, uriToPath(*p.RootURI))
	}
	if len(dirs) == 0 && p.RootPath != nil && *p.RootPath != "" {
		dirs = append(dirs, *p.RootPath)
	}
	opts, _ := p.InitOptions.(map[string]any)
	s.mu.Lock()
	s.state = stateInitialized
	s.caps = clientCaps{
		workDoneProgress: p.Capabilities.Window.WorkDoneProgress,
		configuration:    p.Capabilities.Workspace.Configuration,
	}
	s.initOptions = opts
	seen := map[string]bool{}
	for _, d := range dirs {
		if d = projectRoot(d); !seen[d] {
			seen[d] = true
			s.roots = append(s.roots, newRoot(s, d))
		}
	}
	s.mu.Unlock()
	return protocol.InitializeResult{
		Capabilities: capabilities(),
		ServerInfo:   &protocol.InitializeResultServerInfo{Name: "pyreload"},
	}, nil
}

// capabilities are set explicitly: glsp's derived defaults are wrong.
func capabilities() protocol.ServerCapabilities {
	yes := true
	incremental := protocol.TextDocumentSyncKindIncremental
	return protocol.ServerCapabilities{
		TextDocumentSync: protocol.TextDocumentSyncOptions{
			OpenClose: &yes,
			Change:    &incremental,
			Save:      protocol.SaveOptions{IncludeText: &yes},
		},
		CodeActionProvider: protocol.CodeActionOptions{
			CodeActionKinds: []protocol.CodeActionKind{KindDeepReload, KindQuickFix, KindFixAll},
		},
		ExecuteCommandProvider: &protocol.ExecuteCommandOptions{Commands: Commands},
		Workspace: &protocol.ServerCapabilitiesWorkspace{
			WorkspaceFolders: &protocol.WorkspaceFoldersServerCapabilities{
				Supported:           &yes,
				ChangeNotifications: &protocol.BoolOrString{Value: true},
			},
		},
	}
}

// initialized starts every root's interpreters off the read loop.
func initialized(s *Server, _ *json.RawMessage) {
	for _, r := range s.rootList() {
		s.goSafe("start "+r.dir, r.sess.Start)
	}
}

func shutdown(s *Server, _ json.RawMessage) (any, error) {
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	return nil, nil
}

// onExit ends the session: glsp v0.2.2 never runs an exit handler, so the
// server does it itself.
func (s *Server) onExit() {
	s.mu.Lock()
	code := 1
	if s.state == stateShutdown {
		code = 0
	}
	s.mu.Unlock()
	select {
	case s.exit <- code:
	default:
	}
}

// stopAll stops every root's interpreters within d.
func (s *Server) stopAll(d time.Duration) {
	s.cancel()
	var wg sync.WaitGroup
	for _, r := range s.rootList() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.sess.Stop()
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		s.log.Warning("interpreters did not stop in time")
	}
}

func (s *Server) rootList() []*root {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*root(nil), s.roots...)
}
