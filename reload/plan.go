package reload

import (
	"os"
	"path/filepath"
	"strings"
)

// ResolvePackage maps a source file under root to the top-level package it
// belongs to: the outermost directory of the chain of __init__.py
// directories holding it, or, for namespace packages, the first directory
// below root. A module directly in root is its own "package". ok is false
// for files outside root and for non-Python files.
func ResolvePackage(root, file string) (pkg string, ok bool) {
	if !strings.HasSuffix(file, ".py") {
		return "", false
	}
	root, file = Canonical(root), Canonical(file)
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	parts := strings.Split(rel, string(filepath.Separator))
	if len(parts) == 1 {
		return strings.TrimSuffix(parts[0], ".py"), validName(strings.TrimSuffix(parts[0], ".py"))
	}
	// A regular package lives below root in __init__.py directories; the
	// top-level one is the first component either way (a namespace package's
	// portion on sys.path is root itself).
	return parts[0], validName(parts[0])
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
