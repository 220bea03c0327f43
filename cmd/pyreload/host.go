package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/pyreload/pyreload/pyhost/hostserver"
)

// hostCommand is `pyreload host`: the interpreter child that serve and run
// start through reload/supervise.
func hostCommand(args []string) int {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	root := fs.String("root", ".", "workspace root")
	entry := fs.String("entry", "", "module, module:function or script to run")
	imports := fs.String("import", "", "comma-separated packages to import at start")
	python := fs.String("python", "", "the user's python (must match the embedded version)")
	readyFD := fs.Int("ready-fd", -1, "file descriptor that receives the ready line")
	exitWithEntry := fs.Bool("exit-with-entry", false, "exit when the entry ends")
	logPath := fs.String("log", "", "log file (default stderr)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	logger := log.New(os.Stderr, "pyreload host: ", 0)
	if *logPath != "" {
		if f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			logger.SetOutput(f)
		} else {
			logger.Printf("log file %s: %v; logging to stderr", *logPath, err)
		}
	}
	opts := hostserver.Options{
		Root:          *root,
		Entry:         *entry,
		Argv:          fs.Args(),
		PythonPath:    *python,
		ExitWithEntry: *exitWithEntry,
		Logf:          logger.Printf,
	}
	if *imports != "" {
		opts.Imports = strings.Split(*imports, ",")
	}
	if *readyFD >= 0 {
		opts.Ready = os.NewFile(uintptr(*readyFD), "ready")
		if opts.Ready == nil {
			fmt.Fprintf(os.Stderr, "pyreload host: bad --ready-fd %d\n", *readyFD)
			return exitUsage
		}
	}
	return hostserver.Run(opts)
}
