package hostproto

import (
	"flag"
	"strings"
)

// HostOptions say what one host process runs. The parent that starts
// `pyreload host` (reload/supervise) writes them with Args; the child reads
// them back with HostFlags (cmd/pyreload host, then pyhost/hostserver), and
// the agent's hosted mode (pyreload_agent/hosted.py, when the project's
// Python is another build) reads the same arguments: this file is the one
// place the flags are spelt.
type HostOptions struct {
	// Root is the workspace root; the child's default is ".".
	Root string
	// Entry is a module, module:function or script the host runs; "" runs
	// nothing (the interpreter stays up for reloads).
	Entry string
	// Argv are the entry's arguments (sys.argv[1:]).
	Argv []string
	// Imports are the packages imported at start, before the host reports
	// ready (module names: no commas; an empty name is none).
	Imports []string
	// Paths are the project's sys.path entries (project.SysPath), put first
	// on sys.path in order.
	Paths []string
	// PythonPath is the project's interpreter (project.FindPython); ""
	// means the embedded CPython. The host runs the app in it: embedded
	// when it is the embedded build (a venv of it), else through the agent
	// started in it, with the same protocol.
	PythonPath string
	// ExitWithEntry ends the host when the entry ends (pyreload run); else
	// the interpreter stays up for reloads (pyreload serve).
	ExitWithEntry bool
}

// The flags, as both sides spell them.
const (
	flagRoot          = "root"
	flagEntry         = "entry"
	flagImport        = "import"
	flagPath          = "path"
	flagPython        = "python"
	flagExitWithEntry = "exit-with-entry"
)

// ReadyFDFlag names, beside the options, the file descriptor on which the
// child writes its one ready line ({"socket": path} or {"error": message});
// the parent writes it before Args.
const ReadyFDFlag = "ready-fd"

// Args are the options as arguments of `pyreload host`: the flags, each as
// --name=value (a value that starts with "-" stays a value), then "--" and
// Argv when there are any. A side's own flags (--ready-fd) go before them.
func (o HostOptions) Args() []string {
	args := []string{"--" + flagRoot + "=" + o.Root}
	if o.Entry != "" {
		args = append(args, "--"+flagEntry+"="+o.Entry)
	}
	var imports []string
	for _, name := range o.Imports {
		if name != "" {
			imports = append(imports, name)
		}
	}
	if len(imports) > 0 {
		args = append(args, "--"+flagImport+"="+strings.Join(imports, ","))
	}
	for _, p := range o.Paths {
		args = append(args, "--"+flagPath+"="+p)
	}
	if o.PythonPath != "" {
		args = append(args, "--"+flagPython+"="+o.PythonPath)
	}
	if o.ExitWithEntry {
		args = append(args, "--"+flagExitWithEntry)
	}
	if len(o.Argv) > 0 {
		args = append(append(args, "--"), o.Argv...)
	}
	return args
}

// HostFlags defines the options' flags on fs, beside the caller's own. The
// function it returns gives the options once fs has parsed; Argv is what
// follows the flags.
func HostFlags(fs *flag.FlagSet) func() HostOptions {
	var o HostOptions
	fs.StringVar(&o.Root, flagRoot, ".", "workspace root")
	fs.StringVar(&o.Entry, flagEntry, "", "module, module:function or script to run")
	fs.Var((*importList)(&o.Imports), flagImport, "comma-separated packages to import at start (repeatable)")
	fs.Var((*pathList)(&o.Paths), flagPath, "a sys.path entry to put first (repeatable, in order)")
	fs.StringVar(&o.PythonPath, flagPython, "", "the project's python: hosted here when it is the embedded build, else through the agent in it")
	fs.BoolVar(&o.ExitWithEntry, flagExitWithEntry, false, "exit when the entry ends")
	return func() HostOptions {
		if args := fs.Args(); len(args) > 0 {
			o.Argv = append([]string(nil), args...)
		}
		return o
	}
}

// pathList is a repeatable flag, one entry each time.
type pathList []string

func (p *pathList) String() string     { return strings.Join(*p, ":") }
func (p *pathList) Set(v string) error { *p = append(*p, v); return nil }

// importList is a repeatable flag of comma-separated module names.
type importList []string

func (l *importList) String() string { return strings.Join(*l, ",") }

func (l *importList) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name != "" {
			*l = append(*l, name)
		}
	}
	return nil
}
