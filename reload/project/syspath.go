package project

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// SysPath lists the directories of root that go first on the
// interpreter's sys.path, in order, each once and only if it exists: the
// root, its src directory when the project uses the src layout, the paths
// setting (relative to the root), then pytest's pythonpath.
func SysPath(root string, paths []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		p = filepath.Clean(p)
		if st, err := os.Stat(p); err != nil || !st.IsDir() || seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	add(root)
	if SrcLayout(root) {
		add(filepath.Join(root, "src"))
	}
	for _, p := range paths {
		add(p)
	}
	for _, p := range pytestPythonPath(root) {
		add(p)
	}
	return out
}

// SrcLayout reports whether root keeps its code in src/: src is not itself
// a package and holds a package or a module.
func SrcLayout(root string) bool {
	src := filepath.Join(root, "src")
	if _, err := os.Stat(filepath.Join(src, "__init__.py")); err == nil {
		return false // a package named src: `import src.x`
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".py") && !e.IsDir() {
			return true
		}
		if e.IsDir() && !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".egg-info") && name != "__pycache__" {
			if HasPython(filepath.Join(src, name)) {
				return true
			}
		}
	}
	return false
}

// HasPython reports whether dir holds a .py file (a package or a
// namespace package's portion).
func HasPython(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".py") {
			return true
		}
	}
	return false
}

// pytestPythonPath reads pytest's pythonpath option from pyproject.toml
// ([tool.pytest.ini_options]) or pytest.ini ([pytest]).
func pytestPythonPath(root string) []string {
	var doc struct {
		Tool struct {
			Pytest struct {
				IniOptions map[string]any `toml:"ini_options"`
			} `toml:"pytest"`
		} `toml:"tool"`
	}
	if _, err := toml.DecodeFile(filepath.Join(root, "pyproject.toml"), &doc); err == nil {
		switch v := doc.Tool.Pytest.IniOptions["pythonpath"].(type) {
		case string:
			return strings.Fields(v)
		case []any:
			var out []string
			for _, e := range v {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return iniOption(filepath.Join(root, "pytest.ini"), "pytest", "pythonpath")
}

// iniOption reads one space-separated option of an ini file's section,
// continuation lines included.
func iniOption(path, section, key string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	in, reading := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") {
			in, reading = strings.Trim(trimmed, "[]") == section, false
			continue
		}
		if !in || trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if reading && (line[0] == ' ' || line[0] == '\t') {
			out = append(out, strings.Fields(trimmed)...)
			continue
		}
		reading = false
		if k, v, ok := strings.Cut(trimmed, "="); ok && strings.TrimSpace(k) == key {
			out = append(out, strings.Fields(v)...)
			reading = true
		}
	}
	return out
}
