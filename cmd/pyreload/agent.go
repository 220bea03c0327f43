package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pyreload/pyreload/reload/agent"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// agentCommand is `pyreload agent`: how to attach a process pyreload did
// not start; with --path it writes the agent and prints the directory to
// put on PYTHONPATH.
func agentCommand(args []string) int {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	pathOnly := fs.Bool("path", false, "write the agent and print the directory to put on PYTHONPATH")
	root := fs.String("root", ".", "workspace root to show in the instructions")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pyreload agent [--path] [--root DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	dir, err := agent.Install("")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload agent: %v\n", err)
		return exitSoftware
	}
	if *pathOnly {
		fmt.Println(dir)
		return exitOK
	}
	rootDir, err := hostproto.CanonicalRoot(*root)
	if err != nil {
		rootDir = *root
	}
	printAgentHelp(os.Stdout, dir, rootDir)
	return exitOK
}

// printAgentHelp tells how to attach a process pyreload did not start.
func printAgentHelp(w io.Writer, dir, root string) {
	fmt.Fprintf(w, `Attach mode: reload code inside a Python process that pyreload did not start
(an app under another Python version or virtualenv, a pre-fork server's
workers, a bot under systemd, a Jupyter kernel). The agent is pure Python
(stdlib only) and works on any Python 3.8+, whatever Python pyreload embeds.

The agent is in %[1]s
(print that directory with `+"`pyreload agent --path`"+`).

Either start the app through it (TARGET: module, module:function or script):

    PYTHONPATH=%[1]s python3 -m pyreload_agent --root %[2]s TARGET [ARGS...]

or, with that directory on PYTHONPATH, these are the two lines to add to your app
(before it forks its workers, so each worker serves its own socket):

    import pyreload_agent
    pyreload_agent.start(root=%[3]q)

In IPython or a Jupyter notebook (that directory on the kernel's PYTHONPATH,
or pyreload's wheel installed in its environment), one line attaches the kernel
and reports each reload in the notebook:

    %%load_ext pyreload_agent

Then, from a terminal or an editor:

    pyreload reload --root %[2]s PACKAGE        # every attached process
    pyreload reload --root %[2]s --watch        # on every save

Containers: start(root=..., tcp="127.0.0.1:0") also listens on TCP and writes
a token to a 0600 file (its path is logged); then
    pyreload reload --tcp HOST:PORT --token-file FILE PACKAGE
`, dir, shellQuote(root), root)
}

func shellQuote(s string) string {
	for _, r := range s {
		if !(r == '/' || r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
