// Command pyreload deep-reloads Python packages inside running processes and
// tells editors and terminals what still runs the old code. Subcommands:
// serve (language server), run (host an app), reload (CLI reload), host (the
// embedded interpreter child), agent (attach to processes pyreload did not
// start).
package main

import (
	"fmt"
	"os"
)

// Exit codes shared by the subcommands (see README, "CLI").
const (
	exitOK          = 0
	exitStale       = 1  // reload: reloaded, stale references remain
	exitRolledBack  = 2  // reload: the new code raised; rolled back
	exitNoInterp    = 3  // reload: no interpreter reachable for the root
	exitUsage       = 64 // bad command line
	exitNoInput     = 66 // root or target does not exist
	exitSoftware    = 70 // the host could not start or died
	exitAlreadyRuns = 75 // run: another pyreload run serves this root
)

const usage = `pyreload reloads Python packages inside running processes, in place.

Usage:
  pyreload serve [--stdio]                       language server on stdio
  pyreload run [--root DIR] TARGET [ARGS...]     run an app in a hosted interpreter
  pyreload reload [--root DIR] [--json] [--mode inplace|evict] [--all] [--reset NAME,...]
                  [--fix rebind|patch|dependents] [--timeout D] [--watch]
                  [--tcp HOST:PORT --token-file F] PACKAGE|FILE...
                                                 reload in every interpreter of the root
  pyreload agent [--path]                        attach processes pyreload did not start
  pyreload host --root DIR [...]                 the interpreter process (internal)
  pyreload version

TARGET is a module (pkg.app), module:function (pkg.app:main) or a script path.
Settings come from [tool.pyreload] in the root's pyproject.toml (see the README).
`

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

func dispatch(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return serveCommand(args[1:])
	case "run":
		return runCommand(args[1:])
	case "reload":
		return reloadCommand(args[1:])
	case "host":
		return hostCommand(args[1:])
	case "agent":
		return agentCommand(args[1:])
	case "version", "--version":
		fmt.Println("pyreload", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Print(usage)
		return exitOK
	}
	fmt.Fprintf(os.Stderr, "pyreload: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"
