package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/pyreload/pyreload/pyhost/hostserver"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// hostCommand is `pyreload host`: the interpreter child that serve and run
// start through reload/supervise. When --python is another CPython than
// the embedded one it becomes that Python running the agent (hostagent.go).
func hostCommand(args []string) int {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	hostOpts := hostproto.HostFlags(fs) // --root --entry --import --path --python --exit-with-entry
	readyFD := fs.Int(hostproto.ReadyFDFlag, -1, "file descriptor that receives the ready line")
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
	opts := hostserver.Options{HostOptions: hostOpts(), Logf: logger.Printf}
	if opts.PythonPath != "" {
		var other *hostserver.OtherBuildError
		if err := hostserver.CheckPython(opts.PythonPath); errors.As(err, &other) {
			err := hostInAgent(other, opts.HostOptions, *readyFD)
			// Only a failed exec returns.
			failReady(*readyFD, err)
			return exitSoftware
		} else if err != nil {
			failReady(*readyFD, err)
			return 1
		}
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

// failReady tells the parent why the host did not start, on the ready fd
// when there is one, else on stderr.
func failReady(fd int, err error) {
	if fd >= 0 {
		if f := os.NewFile(uintptr(fd), "ready"); f != nil {
			raw, _ := json.Marshal(map[string]string{"error": err.Error()})
			f.Write(append(raw, '\n'))
			f.Close()
			return
		}
	}
	fmt.Fprintf(os.Stderr, "pyreload host: %v\n", err)
}
