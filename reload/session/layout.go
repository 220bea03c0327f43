package session

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/project"
)

// The root's layout: which of its directories are on the interpreter's
// sys.path, and so which package a file belongs to. The engine decides
// (it sees the real sys.path); the session follows its rule
// (reload.PackageOf) with the entries the interpreters report in status,
// and with the project's declared ones (project.SysPath) until they do.

// sysPath is the root's directories on sys.path, in order.
func (s *Session) sysPath() []string {
	s.mu.Lock()
	reported := s.reportedPath
	s.mu.Unlock()
	declared := project.SysPath(s.dir, s.Settings().Paths)
	out := append([]string(nil), reported...)
	for _, p := range declared {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// workspaceEntries keeps the sys.path entries of status that are the
// root's own source directories (not its virtualenv's site-packages).
func workspaceEntries(root string, sysPath []string) []string {
	var out []string
	for _, p := range sysPath {
		if p == "" || !filepath.IsAbs(p) {
			continue
		}
		p = reload.Canonical(p)
		if p != root && !isUnder(p, root) {
			continue
		}
		rel, _ := filepath.Rel(root, p)
		parts := strings.Split(rel, string(filepath.Separator))
		if slices.Contains(parts, "site-packages") || slices.Contains(parts, "dist-packages") || slices.Contains(parts, ".venv") {
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// isUnder reports whether path is strictly inside dir.
func isUnder(path, dir string) bool {
	return strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// PackageOf is the top-level package of a file of the root.
func (s *Session) PackageOf(path string) (string, bool) {
	return reload.ResolvePackageIn(s.dir, path, s.sysPath())
}

// PackagePath is the directory (or module file) of a top-level package:
// the first sys.path entry of the root that holds it.
func (s *Session) PackagePath(pkg string) string {
	for _, entry := range s.sysPath() {
		dir := filepath.Join(entry, pkg)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
		if _, err := os.Stat(dir + ".py"); err == nil {
			return dir + ".py"
		}
	}
	return filepath.Join(s.dir, pkg)
}

// HomeFile is where a package's findings without a location go: its
// __init__.py, or the module file of a single-module package ("" if
// neither exists, as for a namespace package).
func (s *Session) HomeFile(pkg string) string {
	base := s.PackagePath(pkg)
	if reload.IsPackageDir(base) {
		return reload.Canonical(filepath.Join(base, "__init__.py"))
	}
	if st, err := os.Stat(base); err == nil && !st.IsDir() {
		return reload.Canonical(base)
	}
	return ""
}

// IsPackage reports whether name is a top-level regular package of the
// root (a directory with __init__.py on one of its sys.path entries).
func (s *Session) IsPackage(name string) bool {
	return s.topLevel()[name]
}

// topLevel lists the root's top-level packages and modules, entry by
// entry: name → whether it is a regular package (a directory with
// __init__.py) rather than a namespace portion or a module.
func (s *Session) topLevel() map[string]bool {
	out := map[string]bool{}
	for _, entry := range s.sysPath() {
		entries, _ := os.ReadDir(entry)
		for _, e := range entries {
			full := filepath.Join(entry, e.Name())
			name, isModule := strings.CutSuffix(e.Name(), ".py")
			if _, seen := out[name]; seen {
				continue
			}
			switch {
			case e.IsDir() && reload.IsPackageDir(full):
				if pkg, ok := reload.PackageOf(filepath.Join(full, "__init__.py"), []string{entry}); ok && pkg == name {
					out[name] = true
				}
			case e.IsDir() && namespacePortion(full):
				if pkg, ok := reload.PackageOf(filepath.Join(full, "x.py"), []string{entry}); ok && pkg == name {
					out[name] = false
				}
			case !e.IsDir() && isModule && name != "":
				if pkg, ok := reload.PackageOf(full, []string{entry}); ok && pkg == name {
					out[name] = false
				}
			}
		}
	}
	return out
}

// namespacePortion reports whether dir holds Python sources directly and
// is not a virtual environment.
func namespacePortion(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "pyvenv.cfg")); err == nil {
		return false
	}
	return project.HasPython(dir)
}
