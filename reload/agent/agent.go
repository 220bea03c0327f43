// Package agent ships the pure-Python agent (pyreload_agent, attach mode):
// its .py files are embedded here, and Install writes them, with the
// engine's files (reload/engine) copied in unchanged as the subpackage
// pyreload_agent.engine, into a per-user cache directory to put on
// PYTHONPATH. The agent therefore runs the same engine as the embedded host.
package agent

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/pyreload/pyreload/reload/engine"
	"github.com/pyreload/pyreload/reload/hostproto"
)

//go:embed pyreload_agent/*.py
var files embed.FS

// Package is the Python package name of the agent.
const Package = "pyreload_agent"

// File is one file of the written-out agent, relative to the PYTHONPATH
// directory (e.g. "pyreload_agent/server.py").
type File struct {
	Path   string
	Source string
}

// Files returns the agent's files with the engine as a subpackage, in a
// stable order.
func Files() []File {
	names, _ := fs.Glob(files, Package+"/*.py")
	sort.Strings(names)
	var out []File
	for _, n := range names {
		src, _ := files.ReadFile(n)
		out = append(out, File{Path: n, Source: string(src)})
	}
	hasInit := false
	for _, m := range engine.Modules() {
		hasInit = hasInit || m.Name == "__init__"
		out = append(out, File{Path: path.Join(Package, "engine", m.Name+".py"), Source: m.Source})
	}
	if !hasInit {
		out = append(out, File{Path: path.Join(Package, "engine", "__init__.py"), Source: "\"\"\"pyreload engine.\"\"\"\n"})
	}
	return out
}

// Hash identifies this build of agent and engine (16 hex digits).
func Hash() string {
	h := sha256.New()
	for _, f := range Files() {
		fmt.Fprintf(h, "%s\x00%d\x00%s", f.Path, len(f.Source), f.Source)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CacheDir is the per-user directory Install writes under:
// $XDG_CACHE_HOME/pyreload, else ~/.cache/pyreload.
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the agent: %w", err)
	}
	return filepath.Join(base, "pyreload"), nil
}

// Install writes the agent under base (CacheDir when empty) as
// base/agent-<hash>, atomically (a temporary directory renamed into place)
// with mode 0700, and returns that directory for PYTHONPATH. An existing
// complete copy is reused only when every file of it is this user's and no
// one else may write it. A base that other users may change
// (hostproto.PrivateDir) gives way to a private one under the socket
// directory: pyreload never hands out a copy someone else could plant.
func Install(base string) (string, error) {
	parent, name := "", "pyreload"
	if base == "" {
		if b, err := CacheDir(); err == nil {
			parent = filepath.Dir(b)
		}
	} else {
		parent, name = filepath.Dir(base), filepath.Base(base)
	}
	base, err := hostproto.PrivateCache(parent, name)
	if err != nil {
		return "", fmt.Errorf("no private directory for the agent: %w", err)
	}
	dir := filepath.Join(base, "agent-"+Hash())
	for attempt := 0; ; attempt++ {
		if complete(dir) && private(dir) == nil {
			return dir, nil
		}
		tmp, err := os.MkdirTemp(base, ".agent-tmp-")
		if err != nil {
			return "", err
		}
		if err := Write(tmp); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		if complete(dir) && private(dir) == nil { // another pyreload won the race
			os.RemoveAll(tmp)
			return dir, nil
		}
		os.RemoveAll(dir) // an incomplete copy left by a crash, or not only ours
		err = os.Rename(tmp, dir)
		os.RemoveAll(tmp) // a no-op once renamed
		if err == nil {
			return dir, nil
		}
		if attempt == 2 {
			return "", err
		}
	}
}

// Write writes the agent's files into dir (which must exist): dir is then
// the directory to put on PYTHONPATH.
func Write(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	for _, f := range Files() {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(f.Source), 0o600); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, marker), []byte(Hash()+"\n"), 0o600)
}

// marker is written last: a directory holding it is complete.
const marker = ".complete"

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, marker))
	return err == nil
}

// private checks that every file and directory of a copy is this user's
// and that no one else may write it (no links either).
func private(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return hostproto.PrivateDir(p)
		}
		return hostproto.PrivateFile(p)
	})
}
