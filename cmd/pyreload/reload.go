package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/attach"
	"github.com/pyreload/pyreload/reload/config"
)

// reloadCommand is `pyreload reload`: reload (in place by default) in every
// interpreter attached to the root, printed for people or as JSON.
func reloadCommand(args []string) int {
	fs := flag.NewFlagSet("reload", flag.ContinueOnError)
	var o cliOptions
	root := fs.String("root", "", "workspace root whose interpreters to reload; default: the nearest directory up from here with pyproject.toml, setup.py, setup.cfg or .git")
	fs.BoolVar(&o.asJSON, "json", false, "print the merged reports as JSON")
	fs.StringVar(&o.fix, "fix", "", "then apply a fix: rebind, patch or dependents")
	fs.StringVar(&o.mode, "mode", "", "inplace (update the running objects; the default) or evict (new module objects, old ones reported); default: the mode setting")
	fs.BoolVar(&o.all, "all", false, "re-execute every loaded module of the package, changed or not")
	reset := fs.String("reset", "", "comma-separated modules (pkg.mod) or values (pkg.mod.NAME) whose statements run again in this reload even if unchanged")
	watch := fs.Bool("watch", false, "keep watching the root and reload on every change")
	fs.DurationVar(&o.timeout, "timeout", 0, "per-interpreter deadline of a reload (e.g. 30s); a process past it is reported and skipped (default 60s)")
	fs.StringVar(&o.tcpAddr, "tcp", "", "reach one agent over TCP at HOST:PORT instead (attach mode in containers)")
	fs.StringVar(&o.tokenFile, "token-file", "", "the agent's 0600 TCP token file (with --tcp)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pyreload reload [--root DIR] [--json] [--mode inplace|evict] [--all] [--reset NAME,...] [--fix rebind|patch|dependents] [--timeout D] [--watch] PACKAGE|FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	switch o.fix {
	case "", reload.FixRebind, reload.FixPatch, reload.FixDependents, reload.FixAll:
	default:
		fmt.Fprintf(os.Stderr, "pyreload reload: --fix takes rebind, patch or dependents, not %q\n", o.fix)
		return exitUsage
	}
	switch o.mode {
	case "", config.ModeInplace, config.ModeEvict:
	case config.ModePatch:
		o.mode = config.ModeInplace
	default:
		fmt.Fprintf(os.Stderr, "pyreload reload: --mode takes inplace or evict, not %q\n", o.mode)
		return exitUsage
	}
	if *reset != "" {
		for _, name := range strings.Split(*reset, ",") {
			if name = strings.TrimSpace(name); name != "" {
				o.reset = append(o.reset, name)
			}
		}
	}
	if fs.NArg() == 0 && !*watch {
		fs.Usage()
		return exitUsage
	}
	rootDir, err := findRoot(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload reload: %v\n", err)
		return exitUsage
	}
	o.root = rootDir
	if *watch {
		return watchCommand(o, fs.Args())
	}
	o.settings = loadSettings(rootDir)
	ins, err := discover(o, os.Stderr)
	if err != nil || len(ins) == 0 {
		if err != nil {
			fmt.Fprintf(os.Stderr, "pyreload reload: %v\n", err)
		}
		fmt.Fprintf(os.Stderr, "pyreload reload: no interpreter is reachable for %s; start one with `pyreload run --root %s TARGET`, or attach a running app (`pyreload agent`)\n", rootDir, rootDir)
		return exitNoInterp
	}
	fleet := reload.NewFleet(ins...)
	defer closeAll(ins)
	targets := fs.Args()
	for _, t := range targets {
		if o.settings.Excluded(t) {
			fmt.Fprintf(os.Stderr, "pyreload reload: %s is excluded by [tool.pyreload] exclude in %s\n", t, filepath.Join(rootDir, config.FileName))
			return exitUsage
		}
	}
	code := reloadOnce(context.Background(), fleet, o, targets, os.Stdout, os.Stderr)
	if !o.asJSON {
		nameInterpreters(os.Stderr, ins)
	}
	return code
}

// cliOptions are what reload and watch mode are told on the command line.
type cliOptions struct {
	root      string
	asJSON    bool
	fix       string
	mode      string   // --mode; empty: the mode setting
	all       bool     // --all: every module of the package runs again
	reset     []string // --reset: modules or values to re-evaluate
	timeout   time.Duration
	tcpAddr   string // --tcp: one agent over TCP instead of the root's sockets
	tokenFile string
	settings  config.Settings // [tool.pyreload] of root, read once per run (per batch in watch mode)
}

// reloadTarget reloads one package or file in the fleet, then applies the
// requested fix when the reload went through: it returns the reload's
// report and, when a fix ran, the fix's (nil otherwise).
func reloadTarget(ctx context.Context, fleet *reload.Fleet, o cliOptions, target string) (reload.Report, *reload.Report, error) {
	mode := o.mode
	if mode == "" {
		mode = o.settings.Mode
	}
	params := reload.ReloadParams{Package: target, Mode: mode, All: o.all, Reset: o.reset,
		Hooks: o.settings.Hooks, TimeoutMS: int(o.timeout.Milliseconds())}
	if strings.HasSuffix(target, ".py") || strings.Contains(target, "/") {
		abs, _ := filepath.Abs(target)
		params.Package, params.File = "", abs
	}
	rep, err := fleet.Reload(ctx, params)
	if err != nil || o.fix == "" || !rep.OK {
		return rep, nil, err
	}
	fixed, err := fleet.Fix(ctx, reload.FixParams{Kind: o.fix, Package: rep.Package})
	if err != nil {
		return rep, nil, err
	}
	return rep, &fixed, nil
}

// reloadOnce reloads each target and prints the reports; it returns the
// exit code: 2 if any rolled back, else 1 if stale references remain.
func reloadOnce(ctx context.Context, fleet *reload.Fleet, o cliOptions, targets []string, stdout, stderr io.Writer) int {
	code := exitOK
	var reports []reload.Report
	for _, target := range targets {
		reloaded, fixed, err := reloadTarget(ctx, fleet, o, target)
		if err != nil {
			fmt.Fprintf(stderr, "pyreload reload: %s: %v\n", target, err)
			code = max(code, exitRolledBack)
			continue
		}
		// --json keeps the reload's own report (modules, duration) before the fix's.
		reports = append(reports, reloaded)
		rep := reloaded
		if fixed != nil {
			reports = append(reports, *fixed)
			rep = *fixed
		}
		switch {
		case !rep.OK:
			code = max(code, exitRolledBack)
		case len(rep.Stale) > 0:
			code = max(code, exitStale)
		}
		if !o.asJSON {
			printReport(stdout, stderr, o.root, rep)
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(reports)
	}
	return code
}

// printReport writes one line per finding to stdout and a summary to stderr.
func printReport(stdout, stderr io.Writer, root string, rep reload.Report) {
	for _, fd := range reload.ByFile(rep) {
		for _, it := range fd.Items {
			fmt.Fprintln(stdout, reload.FormatLine(root, fd.File, it))
		}
	}
	for _, fx := range rep.Fixes {
		state := "fixed"
		if !fx.Changed {
			state = "not fixed"
		}
		fmt.Fprintf(stderr, "%s %s: %s\n", fx.Kind, state, fx.Detail)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "pyreload reload: %s %d did not answer: %s\n", e.Process.Kind, e.Process.PID, e.Message)
	}
	fmt.Fprintln(stderr, reload.Summary(rep))
}

// loadSettings reads [tool.pyreload] of root; a broken file is reported and
// the defaults (plus its valid keys) apply.
func loadSettings(root string) config.Settings {
	s, err := config.Load(root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload: %v\n", err)
	}
	return s
}

// discover connects to the interpreters the CLI should reach: the root's
// sockets and the agents of [tool.pyreload] attach (one it cannot reach is
// told on stderr), or with --tcp the one agent at that address.
func discover(o cliOptions, stderr io.Writer) ([]reload.Interpreter, error) {
	if o.tcpAddr == "" {
		ins, unreachable, err := attach.Interpreters(o.root, o.settings.Attach)
		for _, e := range unreachable {
			fmt.Fprintf(stderr, "pyreload: %v\n", e)
		}
		return ins, err
	}
	if o.tokenFile == "" {
		return nil, fmt.Errorf("--tcp needs --token-file (the agent's 0600 token file)")
	}
	tokenFile, err := filepath.Abs(o.tokenFile) // relative to here, not to the root
	if err != nil {
		return nil, err
	}
	ins, unreachable := attach.Connect(o.root, []config.Attach{{Address: o.tcpAddr, TokenFile: tokenFile}})
	if len(unreachable) > 0 {
		return nil, unreachable[0]
	}
	return ins, nil
}

func closeAll(ins []reload.Interpreter) {
	for _, in := range ins {
		in.Close()
	}
}
