// Package engine holds the Python side of the deep-reload engine: real .py
// files, embedded here, that the embedded host loads into its interpreter
// and the pure-Python agent ships as a package. Both load it through the
// engine's own loader (load in __init__.py: LOAD_ORDER, registration,
// cleanup, the state a host starts with) and call api.handle, so the two
// behave identically.
package engine

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.py
var files embed.FS

// Package is the name the engine's modules are loaded under.
const Package = "_pyreload_engine"

// Module is one engine source file.
type Module struct {
	Name   string // e.g. "api" (submodule of Package), "__init__"
	Source string
}

// Modules returns the engine's source files in a stable order (sorted by
// name; the order they run in is __init__.py's LOAD_ORDER, and a file
// missing from it is refused when the engine loads).
func Modules() []Module {
	names, _ := fs.Glob(files, "*.py")
	sort.Strings(names)
	out := make([]Module, 0, len(names))
	for _, n := range names {
		src, _ := files.ReadFile(n)
		out = append(out, Module{Name: strings.TrimSuffix(path.Base(n), ".py"), Source: string(src)})
	}
	return out
}
