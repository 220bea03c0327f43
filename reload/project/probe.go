package project

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Build identifies a CPython build: what must match for pyreload to host an
// interpreter's environment in its embedded CPython (the stdlib's extension
// modules are built against one libpython).
type Build struct {
	// Version is sys.version: the full version, build date and compiler.
	Version string `json:"version"`
	// ABIFlags is sys.abiflags ("d" for a debug build, "t" free-threaded).
	ABIFlags string `json:"abiflags"`
	// Implementation is sys.implementation.name ("cpython").
	Implementation string `json:"implementation"`
	// VersionInfo is sys.version_info[:3].
	VersionInfo [3]int `json:"version_info"`
	// Executable is sys.executable.
	Executable string `json:"executable"`
}

// Short is the "3.12.1" form.
func (b Build) Short() string {
	return fmt.Sprintf("%d.%d.%d", b.VersionInfo[0], b.VersionInfo[1], b.VersionInfo[2])
}

// Same reports whether a and b are one build of CPython.
func (b Build) Same(o Build) bool {
	return b.Version == o.Version && b.ABIFlags == o.ABIFlags && b.Implementation == o.Implementation
}

// probeScript prints the Build of the interpreter running it; it runs on
// any Python, so that an old one is named rather than a syntax error.
const probeScript = `import sys, json
print(json.dumps({"version": sys.version, "abiflags": getattr(sys, "abiflags", ""),
  "implementation": getattr(getattr(sys, "implementation", None), "name", "cpython"),
  "version_info": list(sys.version_info[:3]), "executable": sys.executable}))`

// Probe runs python to learn its build. An interpreter that does not run,
// is not CPython, or is older than 3.8 is an error that says so.
func Probe(ctx context.Context, python string) (Build, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-E", "-c", probeScript)
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return Build{}, fmt.Errorf("%s does not run: %s", python, msg)
	}
	var b Build
	if err := json.Unmarshal(out, &b); err != nil {
		return Build{}, fmt.Errorf("%s: cannot read its version: %v", python, err)
	}
	if b.Implementation != "cpython" {
		return b, fmt.Errorf("%s is %s; pyreload runs apps in CPython 3.8 or newer", python, b.Implementation)
	}
	if b.VersionInfo[0] != 3 || b.VersionInfo[1] < 8 {
		return b, fmt.Errorf("%s is Python %s; pyreload runs apps in CPython 3.8 or newer", python, b.Short())
	}
	return b, nil
}
