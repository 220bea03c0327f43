package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/project"
	"github.com/pyreload/pyreload/reload/supervise"
)

// runCommand is `pyreload run`: the app runs in a host in the foreground,
// reachable by editors and `pyreload reload` for the root while it runs.
func runCommand(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	root := fs.String("root", "", "workspace root (put on sys.path; names the socket); default: the nearest directory up from here with pyproject.toml, setup.py, setup.cfg or .git")
	python := fs.String("python", "", "the Python to run the app in (default: pythonPath, VIRTUAL_ENV, .venv or venv in the root, else the embedded CPython)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pyreload run [--root DIR] [TARGET [ARGS...]]  (TARGET defaults to [tool.pyreload] entry)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	rootDir, err := findRoot(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload run: %v\n", err)
		return exitNoInput
	}
	settings := loadSettings(rootDir)
	args = fs.Args()
	if len(args) == 0 && settings.Entry != "" {
		args = []string{settings.Entry} // [tool.pyreload] entry
	}
	if len(args) == 0 {
		fs.Usage()
		return exitUsage
	}
	if *python == "" {
		*python = settings.PythonPath
	}
	py, err := project.FindPython(rootDir, *python, os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload run: %v\n", err)
		return exitNoInput
	}
	target, err := resolveTarget(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload run: %v\n", err)
		return exitNoInput
	}
	release, code := claimRoot(rootDir) // runlock.go
	if code != 0 {
		return code
	}
	defer release()

	makeWay(rootDir, os.Stderr) // an editor's own host of the root (oneapp.go)

	// Signals are ours from now on: one that comes while the host starts
	// (the app may already be prompting) is handled once it has.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	ctx := context.Background()
	host, err := supervise.Start(ctx, supervise.Options{
		HostOptions: hostproto.HostOptions{Root: rootDir, Entry: target, Argv: args[1:], PythonPath: py.Path,
			Paths: project.SysPath(rootDir, settings.Paths), ExitWithEntry: true},
		Stdout: os.Stdout, Stderr: os.Stderr, Foreground: true,
	})
	if early := (*supervise.StartError)(nil); errors.As(err, &early) {
		return exitCodeOf(early.Exit) // the app ended at once (sys.exit, a crash)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload run: %v (in %s)\n", err, py)
		return exitSoftware
	}
	for {
		select {
		case e := <-host.Exited():
			return exitCodeOf(e)
		case sig := <-sigs:
			if sig == syscall.SIGINT {
				// As under python3, Ctrl-C is the app's KeyboardInterrupt: it
				// decides whether to stop, and run ends when it does.
				if !terminalSentToBoth() {
					host.Interrupt()
				}
				continue
			}
			host.Stop()
			return 128 + int(sig.(syscall.Signal))
		}
	}
}

// terminalSentToBoth reports whether a SIGINT run got came from its terminal,
// which sends it to the whole foreground process group, the host included:
// stdin is a terminal whose foreground group is ours. A SIGINT from kill(1)
// reaches run alone and is passed on.
func terminalSentToBoth() bool {
	fg, err := unix.IoctlGetInt(int(os.Stdin.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// exitCodeOf maps how the host ended to run's exit code, explaining crashes.
func exitCodeOf(e supervise.Exit) int {
	if e.Signal == "SIGINT" {
		return 128 + e.SignalNumber // python3's own end after an unhandled Ctrl-C
	}
	if e.Signal != "" {
		fmt.Fprintf(os.Stderr, "pyreload run: %s\n", e)
		return 128 + e.SignalNumber
	}
	return e.Code
}

// checkRoot returns the canonical root, or why it cannot be used.
func checkRoot(root string) (string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("root %s does not exist", root)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("root %s is not a directory", root)
	}
	return hostproto.CanonicalRoot(root)
}

// findRoot is the root a command works on: --root when given, else the
// nearest directory up from the current one holding pyproject.toml,
// setup.py, setup.cfg or .git (the current directory when none does).
func findRoot(flagValue string) (string, error) {
	if flagValue != "" {
		return checkRoot(flagValue)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, _ := project.FindRoot(wd)
	return checkRoot(root)
}

// resolveTarget makes a script path absolute and checks that it exists;
// modules are looked up by the host.
func resolveTarget(target string) (string, error) {
	if !strings.HasSuffix(target, ".py") && !strings.Contains(target, "/") {
		return target, nil
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return "", fmt.Errorf("no such script: %s", target)
	}
	return abs, nil
}

// runningHost returns the pid of a live `pyreload run` host for root, or 0.
func runningHost(root string) int {
	clients, err := hostproto.Discover(root)
	if err != nil {
		return 0
	}
	pid := 0
	for _, c := range clients {
		var pong struct {
			Role string `json:"role"`
			PID  int    `json:"pid"`
		}
		if c.Call(context.Background(), "ping", nil, &pong) == nil && pong.Role == "run" {
			pid = pong.PID
		}
		c.Close()
	}
	return pid
}
