package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tliron/commonlog"
	"github.com/tliron/commonlog/simple"

	"github.com/pyreload/pyreload/lsp"
)

// serveCommand runs the language server on stdio:
// pyreload serve [--stdio] [--log FILE] [--log-level L]. Stdout is the
// protocol: logs go to FILE or stderr, and a log file that cannot be opened
// falls back to stderr instead of stopping the server.
func serveCommand(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Bool("stdio", true, "speak LSP on stdin/stdout (the default and only transport)")
	logPath := fs.String("log", "", "write the log to this file instead of stderr")
	level := fs.String("log-level", "info", "log level: error, warning, notice, info or debug")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	verbosity, ok := map[string]int{"none": -4, "critical": -3, "error": -2, "warning": -1, "notice": 0, "info": 1, "debug": 2}[*level]
	if !ok {
		fmt.Fprintf(os.Stderr, "pyreload serve: unknown --log-level %q (error, warning, notice, info, debug)\n", *level)
		return exitUsage
	}
	var logOut io.Writer = os.Stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pyreload serve: cannot open log file: %v; logging to stderr\n", err)
		} else {
			defer f.Close()
			logOut = f
		}
	}
	backend := simple.NewBackend()
	backend.Buffered = false
	backend.Configure(verbosity, nil) // sets the level; the writer is replaced below
	backend.Writer = logOut
	commonlog.SetBackend(backend)

	srv := lsp.New(lsp.Options{Log: commonlog.GetLogger("pyreload.lsp"), HostStderr: logOut})
	return srv.Run(os.Stdin, os.Stdout)
}
