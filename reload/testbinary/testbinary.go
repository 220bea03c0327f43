// Package testbinary builds the real pyreload binary once per test process,
// so tests can drive `pyreload host`, `run`, `reload` and `serve` as users do,
// and lays out the workspaces they run in.
package testbinary

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	once  sync.Once
	path  string
	fault error
	out   []byte
)

// Path returns the binary under test: $PYRELOAD_BIN when set (say, a -race
// build), else this tree built on first use. The build needs PKG_CONFIG_PATH
// to find pyhost/cpython (the Makefile exports it; when unset, it is derived
// from this file's location). PYRELOAD_TEST_TAGS adds build tags.
func Path(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("PYRELOAD_BIN"); bin != "" {
		return bin
	}
	once.Do(build)
	if fault != nil {
		t.Fatalf("building pyreload: %v\n%s", fault, out)
	}
	return path
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func build() {
	dir, err := os.MkdirTemp("", "pyreload-bin")
	if err != nil {
		fault = err
		return
	}
	path = filepath.Join(dir, "pyreload")
	args := []string{"build", "-o", path}
	if tags := os.Getenv("PYRELOAD_TEST_TAGS"); tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, "./cmd/pyreload")...)
	cmd.Dir = RepoRoot()
	cmd.Env = os.Environ()
	if !strings.Contains(os.Getenv("PKG_CONFIG_PATH"), "pyhost/cpython") {
		cmd.Env = append(cmd.Env, "PKG_CONFIG_PATH="+filepath.Join(RepoRoot(), "pyhost", "cpython"))
	}
	out, fault = cmd.CombinedOutput()
}
