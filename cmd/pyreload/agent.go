package main

import (
	"fmt"
	"os"
)

// agentCommand is `pyreload agent` (attach mode, issue 6).
func agentCommand(args []string) int {
	fmt.Fprintln(os.Stderr, "pyreload agent: attach mode is not available in this build yet")
	return exitSoftware
}
