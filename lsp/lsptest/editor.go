// Package lsptest is a fake editor for integration tests: it runs the real
// `pyreload serve` binary over stdio, opens, edits and saves files of a
// workspace, answers the server's requests, records what the server
// publishes and waits for an eventual state, like gopls's
// test/integration.
package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyreload/pyreload/lsp/internal/rpc"
)

// Diagnostic is a published diagnostic as the editor sees it.
type Diagnostic struct {
	Range           Range  `json:"range"`
	Severity        int    `json:"severity"`
	Code            string `json:"code"`
	CodeDescription *struct {
		Href string `json:"href"`
	} `json:"codeDescription"`
	Source             string         `json:"source"`
	Message            string         `json:"message"`
	Data               map[string]any `json:"data"`
	RelatedInformation []struct {
		Location struct {
			URI   string `json:"uri"`
			Range Range  `json:"range"`
		} `json:"location"`
		Message string `json:"message"`
	} `json:"relatedInformation"`
}

// Range and Position are LSP's, 0-based.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is a 0-based LSP position.
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Message is a window/showMessage.
type Message struct {
	Type    int    `json:"type"`
	Message string `json:"message"`
}

// Options configure the editor.
type Options struct {
	Binary        string         // the pyreload binary (required)
	Settings      map[string]any // answered to workspace/configuration
	InitOptions   map[string]any
	NoProgress    bool // do not advertise window.workDoneProgress
	NoConfigPull  bool // do not advertise workspace.configuration
	LogFile       string
	ExtraEnv      []string
	SkipInitalize bool // start the process only
	// FullSync sends each change as the whole text, as editors do that do
	// not do incremental sync; by default a change is sent as the range
	// that differs.
	FullSync bool
}

// Editor is one fake editor attached to one server process.
type Editor struct {
	t    testing.TB
	Root string
	cmd  *exec.Cmd
	in   io.WriteCloser
	Conn *rpc.Conn
	opts Options
	done chan struct{}
	code int

	mu       sync.Mutex // mu guards the state below.
	changed  chan struct{}
	diags    map[string][]Diagnostic // by path relative to Root (or absolute)
	messages []Message
	logs     []string
	reports  []map[string]any
	progress []map[string]any
	statuses []map[string]any
	versions map[string]int
	texts    map[string]string // the editor's text of each open file
}

// Start runs `pyreload serve` on root, then initialize and initialized
// (unless opts.SkipInitalize).
func Start(t testing.TB, root string, opts Options) *Editor {
	t.Helper()
	args := []string{"serve", "--stdio", "--log-level", "debug"}
	if opts.LogFile != "" {
		args = append(args, "--log", opts.LogFile)
	}
	cmd := exec.Command(opts.Binary, args...)
	cmd.Env = append(os.Environ(), opts.ExtraEnv...)
	logw := &testLog{t: t}
	cmd.Stderr = logw
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e := &Editor{t: t, Root: root, cmd: cmd, in: in, opts: opts, done: make(chan struct{}),
		changed: make(chan struct{}), diags: map[string][]Diagnostic{}, versions: map[string]int{}, texts: map[string]string{}}
	e.Conn = rpc.NewConn(out, in, 0)
	go e.Conn.Run(context.Background(), e.handle)
	go func() {
		cmd.Wait()
		e.code = cmd.ProcessState.ExitCode()
		close(e.done)
	}()
	t.Cleanup(func() { logw.close(); e.Kill() })
	if !opts.SkipInitalize {
		e.Initialize()
	}
	return e
}

// Initialize sends initialize and initialized.
func (e *Editor) Initialize() {
	e.t.Helper()
	caps := map[string]any{
		"window":    map[string]any{"workDoneProgress": !e.opts.NoProgress},
		"workspace": map[string]any{"configuration": !e.opts.NoConfigPull, "workspaceFolders": true},
	}
	params := map[string]any{
		"processId": os.Getpid(), "rootUri": URI(e.Root), "capabilities": caps,
		"workspaceFolders":      []any{map[string]any{"uri": URI(e.Root), "name": filepath.Base(e.Root)}},
		"initializationOptions": e.opts.InitOptions,
	}
	var res map[string]any
	if err := e.Call("initialize", params, &res); err != nil {
		e.t.Fatalf("initialize: %v", err)
	}
	if err := e.Conn.Notify("initialized", map[string]any{}); err != nil {
		e.t.Fatal(err)
	}
}

// handle answers the server's requests and records its notifications.
func (e *Editor) handle(_ context.Context, req *rpc.Request) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.notifyChanged()
	switch req.Method {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         string       `json:"uri"`
			Diagnostics []Diagnostic `json:"diagnostics"`
		}
		if err := json.Unmarshal(req.Params, &p); err != nil {
			e.t.Errorf("publishDiagnostics: %v", err)
		}
		e.diags[e.rel(p.URI)] = p.Diagnostics
	case "window/showMessage":
		var m Message
		json.Unmarshal(req.Params, &m)
		e.messages = append(e.messages, m)
	case "window/logMessage":
		var m Message
		json.Unmarshal(req.Params, &m)
		e.logs = append(e.logs, m.Message)
	case "pyreload/report":
		var m map[string]any
		json.Unmarshal(req.Params, &m)
		e.reports = append(e.reports, m)
	case "pyreload/status":
		var m map[string]any
		json.Unmarshal(req.Params, &m)
		e.statuses = append(e.statuses, m)
	case "$/progress":
		var m map[string]any
		json.Unmarshal(req.Params, &m)
		e.progress = append(e.progress, m)
	case "window/workDoneProgress/create":
		return nil, nil
	case "workspace/configuration":
		return []any{e.opts.Settings}, nil
	default:
		if !req.IsNotification() {
			return nil, rpc.Errorf(rpc.CodeMethodNotFound, "fake editor: %s", req.Method)
		}
	}
	return nil, nil
}

// notifyChanged wakes Await; e.mu is held.
func (e *Editor) notifyChanged() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// Call sends a request with a 30 s deadline.
func (e *Editor) Call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return e.Conn.Call(ctx, method, params, result)
}

// Path is the absolute path of a workspace file.
func (e *Editor) Path(rel string) string { return filepath.Join(e.Root, rel) }

// URI is the file URI of an absolute path.
func URI(path string) string { return "file://" + filepath.ToSlash(path) }

func (e *Editor) rel(uri string) string {
	p := strings.TrimPrefix(uri, "file://")
	if r, err := filepath.Rel(e.Root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// Open opens a workspace file with its content on disk.
func (e *Editor) Open(rel string) {
	e.t.Helper()
	data, err := os.ReadFile(e.Path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	e.mu.Lock()
	e.versions[rel] = 1
	e.texts[rel] = string(data)
	e.mu.Unlock()
	e.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": URI(e.Path(rel)), "languageId": "python", "version": 1, "text": string(data)}})
}

// Edit changes an open file in the editor without saving it: one change
// replacing the range where the old and new text differ (or, with
// FullSync, the whole text).
func (e *Editor) Edit(rel, text string) {
	e.mu.Lock()
	e.versions[rel]++
	v := e.versions[rel]
	old := e.texts[rel]
	e.texts[rel] = text
	e.mu.Unlock()
	change := map[string]any{"text": text}
	if !e.opts.FullSync {
		change = rangeChange(old, text)
	}
	e.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": URI(e.Path(rel)), "version": v},
		"contentChanges": []any{change}})
}

// Save writes text to disk and sends didSave (with the text), as an editor
// saving an edited buffer does. The file is opened first if needed.
func (e *Editor) Save(rel, text string) {
	e.t.Helper()
	e.mu.Lock()
	_, open := e.versions[rel]
	e.mu.Unlock()
	if !open {
		e.Open(rel)
	}
	e.Edit(rel, text)
	if err := os.WriteFile(e.Path(rel), []byte(text), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.notify("textDocument/didSave", map[string]any{
		"textDocument": map[string]any{"uri": URI(e.Path(rel))}, "text": text})
}

func (e *Editor) notify(method string, params any) {
	if err := e.Conn.Notify(method, params); err != nil {
		e.t.Errorf("%s: %v", method, err)
	}
}

// AwaitReady waits until the server has said n times that the root's
// interpreters are ready, then until the host's entry (if any) has
// finished starting.
func (e *Editor) AwaitReady(n int) {
	e.t.Helper()
	e.Await(fmt.Sprintf("interpreters ready (%d)", n), Timeout, func(st State) bool {
		ready := 0
		for _, s := range st.Statuses {
			if s["state"] == "ready" {
				ready++
			}
		}
		return ready >= n
	})
	deadline := time.Now().Add(Timeout)
	for time.Now().Before(deadline) {
		if st := e.HostStatus(); st.EntryState != "running" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("the host's entry is still running")
}

// Shutdown sends shutdown and exit and returns the exit code.
func (e *Editor) Shutdown() int {
	e.t.Helper()
	if err := e.Call("shutdown", nil, nil); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
	e.Conn.Notify("exit", nil)
	return e.Wait(15 * time.Second)
}

// Wait waits for the server to exit and returns its code (-1 on timeout).
func (e *Editor) Wait(d time.Duration) int {
	select {
	case <-e.done:
		return e.code
	case <-time.After(d):
		return -1
	}
}

// CloseInput closes the server's stdin, as a client that disconnects.
func (e *Editor) CloseInput() { e.in.Close() }

// Kill ends the server process if it still runs.
func (e *Editor) Kill() {
	select {
	case <-e.done:
	default:
		e.cmd.Process.Kill()
		<-e.done
	}
}

// Pid is the server's process id.
func (e *Editor) Pid() int { return e.cmd.Process.Pid }

// testLog shows the server's stderr in the test log when
// PYRELOAD_TEST_VERBOSE is set.
type testLog struct {
	t      testing.TB
	mu     sync.Mutex // mu guards closed.
	closed bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed && os.Getenv("PYRELOAD_TEST_VERBOSE") != "" {
		l.t.Logf("server: %s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}
