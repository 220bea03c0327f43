package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pyreload/pyreload/pyhost/hostserver"
	"github.com/pyreload/pyreload/reload/agent"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// agentBoot is the -c program that starts the hosted agent in the user's
// Python: argv[1] is the directory holding pyreload_agent, the rest its
// hosted-mode arguments.
const agentBoot = "import sys; sys.path.insert(0, sys.argv[1]); " +
	"from pyreload_agent.hosted import main; sys.exit(main(sys.argv[2:]))"

// hostInAgent replaces this process with the project's own Python running
// the agent in hosted mode (pyreload_agent/hosted.py): the same pid, ready
// line, protocol, entry and exit code as the embedded host, so supervise,
// serve and run see no difference. It returns only when the exec fails.
func hostInAgent(other *hostserver.OtherBuildError, opts hostproto.HostOptions, readyFD int) error {
	dir, err := agent.Install("")
	if err != nil {
		return fmt.Errorf("%v; and the agent could not be written to run the app there: %w", other, err)
	}
	args := []string{other.Python, "-c", agentBoot, dir}
	if readyFD >= 0 {
		args = append(args, "--"+hostproto.ReadyFDFlag+"="+strconv.Itoa(readyFD))
	}
	opts.PythonPath = "" // the agent runs in it
	args = append(args, opts.Args()...)
	// The parent-death signal supervise set belongs to the thread that
	// started this process; execve keeps only the calling thread's, so set
	// it on this one: the app still never outlives serve or run.
	runtime.LockOSThread()
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)
	if os.Getppid() == 1 {
		return fmt.Errorf("%v; its parent is gone", other)
	}
	err = syscall.Exec(other.Python, args, os.Environ())
	return fmt.Errorf("%v; starting the agent in it failed: %w", other, err)
}
