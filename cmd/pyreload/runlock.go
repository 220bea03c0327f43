package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// claimRoot makes this run the only one serving rootDir: it takes the
// root's run lock (held until release, or until the process ends however it
// ends) and checks that no earlier run's host still serves the root. On
// refusal it says why and returns the exit code.
func claimRoot(rootDir string) (release func(), code int) {
	lock, err := hostproto.LockRun(rootDir)
	var locked *hostproto.LockedError
	if errors.As(err, &locked) {
		pid := runningHost(rootDir)
		if pid == 0 {
			pid = locked.PID // still starting: the run process itself
		}
		return nil, alreadyServes(pid, rootDir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload run: %v\n", err)
		return nil, exitSoftware
	}
	if pid := runningHost(rootDir); pid != 0 { // a run whose parent was killed
		lock.Release()
		return nil, alreadyServes(pid, rootDir)
	}
	return lock.Release, 0
}

func alreadyServes(pid int, rootDir string) int {
	fmt.Fprintf(os.Stderr, "pyreload run: another pyreload run (pid %d) already serves %s; stop it, or reload into it with `pyreload reload --root %s PACKAGE`\n", pid, rootDir, rootDir)
	return exitAlreadyRuns
}
