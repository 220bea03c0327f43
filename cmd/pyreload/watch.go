package main

import (
	"fmt"
	"os"
)

// watchCommand is `pyreload reload --watch` (attach and watch mode, issue 6).
func watchCommand(root string, packages []string, asJSON bool, fix string) int {
	fmt.Fprintln(os.Stderr, "pyreload reload: --watch is not available in this build yet")
	return exitSoftware
}
