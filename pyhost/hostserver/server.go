package hostserver

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pyreload/pyreload/pyhost"
	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/engine"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/project"
)

//go:embed bootstrap.py
var bootstrap string

// Options configure one host process: what it runs (hostproto.HostOptions,
// read from its arguments) and how it reports to its parent. PythonPath,
// when set, is the embedded CPython's own build (CheckPython said so; a venv
// of it): it becomes sys.executable and steers sys.prefix to its
// environment.
type Options struct {
	hostproto.HostOptions
	// Ready, if set, receives one JSON line once the socket answers:
	// {"socket": path} or {"error": message}.
	Ready *os.File
	Logf  func(format string, args ...any)
}

// Server is the state of one `pyreload host` process: the embedded
// runtime, the engine loaded in it, and what it serves on the root's socket
// (supervise.Host is that process seen from its parent).
type Server struct {
	opts   Options
	interp *pyhost.Runtime
	socket string

	engineMu sync.Mutex // engineMu serialises reload, scan, fix, import and run.

	mu       sync.Mutex // mu guards the fields below.
	startup  []reload.Failure
	imported []string
	entryID  uint64
	exitCode chan int
	exitOnce sync.Once
}

// defaultTimeout bounds an engine call without its own timeout_ms.
const defaultTimeout = 60 * time.Second

// Start brings up the interpreter and engine and opens the socket.
func Start(opts Options) (*Server, *hostproto.Listener, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	root, err := hostproto.CanonicalRoot(opts.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("root %s: %w", opts.Root, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("root %s is not a directory", opts.Root)
	}
	opts.Root = root
	interp, err := pyhost.Start(pyhost.Options{Executable: opts.PythonPath, CrashReports: true})
	if err != nil {
		return nil, nil, err
	}
	h := &Server{opts: opts, interp: interp, exitCode: make(chan int, 1)}
	if err := h.loadEngine(); err != nil {
		return nil, nil, fmt.Errorf("load engine: %+v", err)
	}
	l, err := hostproto.Listen(root)
	if err != nil {
		return nil, nil, err
	}
	h.socket = l.Path
	if _, err := h.interp.Call(context.Background(), "host_socket", l.Path); err != nil {
		l.Close()
		return nil, nil, fmt.Errorf("load engine: %+v", err)
	}
	return h, l, nil
}

func (h *Server) loadEngine() error {
	ctx := context.Background()
	if err := h.interp.Exec(ctx, bootstrap, "<pyreload bootstrap>"); err != nil {
		return err
	}
	sources := map[string]string{}
	for _, m := range engine.Modules() {
		sources[m.Name] = m.Source
	}
	raw, _ := json.Marshal(sources)
	paths, _ := json.Marshal(append([]string{}, h.opts.Paths...))
	if _, err := h.interp.Call(ctx, "host_load", engine.Package, string(raw), h.opts.Root, "host", engineCacheDir(), string(paths)); err != nil {
		return err
	}
	// From now on an exception a call raises (a -32000 error's data) is the
	// engine's Failure of it, as the entry's and the agent's are.
	return h.interp.SetDescriber(ctx, "host_describe")
}

// engineCacheDir is where the host keeps the engine's compiled code between
// starts: the user's cache directory when only the user may change it, else
// a private one (hostproto.PrivateCache); "" when there is none (compile
// every time).
func engineCacheDir() string {
	base, err := os.UserCacheDir()
	if err == nil {
		base = filepath.Join(base, "pyreload")
	} else {
		base = ""
	}
	dir, err := hostproto.PrivateCache(base, "engine-code")
	if err != nil {
		return ""
	}
	return dir
}

// OtherBuildError says that a configured interpreter is a CPython 3.8+
// other than the embedded build: the app runs in it through the agent.
type OtherBuildError struct {
	Python   string
	Build    project.Build
	Embedded project.Build
}

func (e *OtherBuildError) Error() string {
	return fmt.Sprintf("%s is Python %s, not pyreload's embedded CPython %s (%s)", e.Python, e.Build.Short(), e.Embedded.Short(),
		strings.TrimSpace(e.Build.Version))
}

// EmbeddedBuild is the build of the CPython this binary embeds.
func EmbeddedBuild() project.Build {
	b := project.Build{Version: pyhost.EmbeddedVersion(), ABIFlags: pyhost.EmbeddedABIFlags(), Implementation: "cpython"}
	short, _, _ := strings.Cut(b.Version, " ")
	fmt.Sscanf(short, "%d.%d.%d", &b.VersionInfo[0], &b.VersionInfo[1], &b.VersionInfo[2])
	return b
}

// CheckPython tells whether the embedded CPython can host python's
// environment (its site-packages, .pth files, editable installs): nil when
// python is the same build (full version, build date, compiler and ABI
// flags, as a venv of it is), *OtherBuildError for another CPython 3.8+,
// and a plain error for one that cannot be used at all.
func CheckPython(python string) error {
	b, err := project.Probe(context.Background(), python)
	if err != nil {
		return fmt.Errorf("the project's Python: %w", err)
	}
	if embedded := EmbeddedBuild(); !b.Same(embedded) {
		return &OtherBuildError{Python: python, Build: b, Embedded: embedded}
	}
	return nil
}

// startupImportTimeout bounds the imports made before the host is ready.
const startupImportTimeout = 20 * time.Second

// ImportStartup imports the configured packages, before the host reports
// ready, so that status shows their failures from the first answer on. An
// import that blocks is interrupted after startupImportTimeout.
func (h *Server) ImportStartup() {
	if len(h.opts.Imports) > 0 {
		var res struct {
			Imported []string         `json:"imported"`
			Failures []reload.Failure `json:"failures"`
		}
		ctx, cancel := context.WithTimeout(context.Background(), startupImportTimeout)
		defer cancel()
		if err := h.callJSON(ctx, &res, "host_import", h.opts.Imports); err != nil {
			h.opts.Logf("import: %v", err)
			res.Failures = append(res.Failures, reload.Failure{Type: "TimeoutError",
				Message: fmt.Sprintf("importing %v did not finish within %v", h.opts.Imports, startupImportTimeout)})
		}
		h.mu.Lock()
		h.imported, h.startup = res.Imported, res.Failures
		h.mu.Unlock()
		for _, f := range res.Failures {
			fmt.Fprintf(os.Stderr, "pyreload: import failed: %s: %s\n%s", f.Type, f.Message, f.Traceback)
		}
	}
}

// Boot starts the entry, once the host is reachable.
func (h *Server) Boot() {
	if h.opts.Entry != "" {
		if _, err := h.startEntry(h.opts.Entry, h.opts.Argv); err != nil {
			fmt.Fprintf(os.Stderr, "pyreload: %v\n", err)
			if h.opts.ExitWithEntry {
				h.exit(1)
			}
		}
	}
}

// callJSON calls a bootstrap function with JSON-encoded argument and result.
func (h *Server) callJSON(ctx context.Context, result any, fn string, args ...any) error {
	strs := make([]string, len(args))
	for n, a := range args {
		if s, ok := a.(string); ok {
			strs[n] = s
			continue
		}
		raw, _ := json.Marshal(a)
		strs[n] = string(raw)
	}
	out, err := h.interp.Call(ctx, fn, strs...)
	if err != nil {
		return err
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal([]byte(out), result)
}

// exit asks the host's main loop to exit with code (first request wins).
func (h *Server) exit(code int) {
	h.exitOnce.Do(func() { h.exitCode <- code })
}
