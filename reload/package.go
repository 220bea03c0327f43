package reload

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyreload/pyreload/reload/project"
)

// ResolvePackage maps a source file under root to the top-level package it
// belongs to, with the project's declared sys.path (project.SysPath: the
// root and a src layout): PackageOf's rule. ok is false for files outside
// root, non-Python files, and names Python cannot import. Callers that
// know more of sys.path (the interpreter's, the paths setting) use
// ResolvePackageIn.
func ResolvePackage(root, file string) (pkg string, ok bool) {
	return ResolvePackageIn(root, file, project.SysPath(Canonical(root), nil))
}

// ResolvePackageIn is ResolvePackage with the sys.path entries given.
func ResolvePackageIn(root, file string, entries []string) (pkg string, ok bool) {
	root, file = Canonical(root), Canonical(file)
	if file == root || !isWithin(file, root) {
		return "", false
	}
	return PackageOf(file, entries)
}

// PackageOf is the engine's rule (reload/engine/resolve.py package_of) for
// the top-level package (or module) that file belongs to when the
// directories entries are on sys.path: walk up the __init__.py
// directories to the outermost one (else the file's directory); the
// longest entry strictly above it names the package by its first
// component (a regular package, or the namespace package holding it); a
// module directly in an entry is its own name; a package on no entry is
// named by its directory. testdata/layouts/layouts.json holds the cases
// both sides are tested against. Paths must be canonical.
func PackageOf(file string, entries []string) (string, bool) {
	if !strings.HasSuffix(file, ".py") {
		return "", false
	}
	dir, top := filepath.Dir(file), ""
	for IsPackageDir(dir) {
		top = dir
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	start := top
	if start == "" {
		start = filepath.Dir(file)
	}
	sorted := append([]string(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	name := ""
	for _, entry := range sorted {
		if start != entry && isWithin(start, entry) {
			rel, _ := filepath.Rel(entry, start)
			name = strings.Split(rel, string(filepath.Separator))[0]
			break
		}
		if start == entry && top == "" {
			name = strings.TrimSuffix(filepath.Base(file), ".py")
			break
		}
	}
	if name == "" && top != "" {
		name = filepath.Base(top)
	}
	return name, validName(name)
}

// isWithin reports whether path is dir or lies below it.
func isWithin(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// ModuleName is the dotted module name of file under root ("" if none).
func ModuleName(root, file string) string {
	rel, err := filepath.Rel(Canonical(root), Canonical(file))
	if err != nil || strings.HasPrefix(rel, "..") || !strings.HasSuffix(rel, ".py") {
		return ""
	}
	rel = strings.TrimSuffix(rel, ".py")
	rel = strings.TrimSuffix(rel, string(filepath.Separator)+"__init__")
	return strings.ReplaceAll(rel, string(filepath.Separator), ".")
}

// InPackage tells whether module is pkg or one of its submodules.
func InPackage(pkg, module string) bool {
	return module == pkg || strings.HasPrefix(module, pkg+".")
}

// IsPackageDir tells whether dir is a regular package (has __init__.py).
func IsPackageDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "__init__.py"))
	return err == nil && !st.IsDir()
}

// Canonical makes a path absolute and resolves symlinks where it can, as the
// engine does for the files in its reports; a file that is gone keeps its
// name under its resolved directory.
func Canonical(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	// The file may be gone (deleted); resolve its directory instead.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return filepath.Join(dir, filepath.Base(p))
	}
	return p
}

func validName(name string) bool {
	if name == "" || name == "__pycache__" || strings.HasPrefix(name, ".") {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
