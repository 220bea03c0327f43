package project

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Python is the interpreter chosen for a root and why.
type Python struct {
	// Path is the interpreter's executable; "" means pyreload's embedded
	// CPython.
	Path string
	// Origin says where it came from, for messages: "the pythonPath
	// setting", "VIRTUAL_ENV", ".venv in the root", ...
	Origin string
}

// String names the interpreter for a person.
func (p Python) String() string {
	if p.Path == "" {
		return "the embedded CPython"
	}
	return fmt.Sprintf("%s (%s)", p.Path, p.Origin)
}

// FindPython chooses root's interpreter as Python's tools do: the
// pythonPath setting (relative to the root, or a command name looked up
// on PATH), else $VIRTUAL_ENV, else a .venv or venv in the root, else
// uv's $UV_PROJECT_ENVIRONMENT, poetry's and pipenv's environments for the
// project, else an activated conda environment other than base, else the
// embedded CPython (Path ""). getenv is os.Getenv in production. A setting
// that names no interpreter is an error: the user asked for it.
func FindPython(root, setting string, getenv func(string) string) (Python, error) {
	if setting != "" {
		path := setting
		if !strings.Contains(path, string(filepath.Separator)) {
			found, err := exec.LookPath(path)
			if err != nil {
				return Python{}, fmt.Errorf("pythonPath %q: not found on PATH", setting)
			}
			path = found
		} else if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if !executable(path) {
			return Python{}, fmt.Errorf("pythonPath %s: no such executable", path)
		}
		return Python{Path: path, Origin: "the pythonPath setting"}, nil
	}
	if venv := getenv("VIRTUAL_ENV"); venv != "" {
		if py := envPython(venv); py != "" {
			return Python{Path: py, Origin: "VIRTUAL_ENV"}, nil
		}
	}
	for _, name := range []string{".venv", "venv"} {
		if py := envPython(filepath.Join(root, name)); py != "" && isVenv(filepath.Join(root, name)) {
			return Python{Path: py, Origin: name + " in the root"}, nil
		}
	}
	if env := getenv("UV_PROJECT_ENVIRONMENT"); env != "" {
		if !filepath.IsAbs(env) {
			env = filepath.Join(root, env)
		}
		if py := envPython(env); py != "" {
			return Python{Path: py, Origin: "UV_PROJECT_ENVIRONMENT"}, nil
		}
	}
	if py := poetryPython(root, getenv); py != "" {
		return Python{Path: py, Origin: "poetry's environment for the project"}, nil
	}
	if py := pipenvPython(root, getenv); py != "" {
		return Python{Path: py, Origin: "pipenv's environment for the project"}, nil
	}
	if prefix := getenv("CONDA_PREFIX"); prefix != "" && getenv("CONDA_DEFAULT_ENV") != "base" {
		if py := envPython(prefix); py != "" {
			return Python{Path: py, Origin: "the active conda environment"}, nil
		}
	}
	return Python{}, nil
}

// envPython is the python of an environment directory, or "".
func envPython(dir string) string {
	for _, name := range []string{"python3", "python"} {
		if p := filepath.Join(dir, "bin", name); executable(p) {
			return p
		}
	}
	return ""
}

func isVenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

func executable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// poetryPython finds the environment poetry made for root in its cache
// (virtualenvs.path): <name>-<hash>-py<X.Y>, the name and hash as poetry
// derives them from the project's name and directory.
func poetryPython(root string, getenv func(string) string) string {
	var doc struct {
		Tool struct {
			Poetry struct {
				Name string `toml:"name"`
			} `toml:"poetry"`
		} `toml:"tool"`
		Project struct {
			Name string `toml:"name"`
		} `toml:"project"`
	}
	if _, err := toml.DecodeFile(filepath.Join(root, "pyproject.toml"), &doc); err != nil || doc.Tool.Poetry.Name == "" && !exists(filepath.Join(root, "poetry.lock")) {
		return ""
	}
	name := doc.Tool.Poetry.Name
	if name == "" {
		name = doc.Project.Name
	}
	if name == "" {
		return ""
	}
	base := getenv("POETRY_VIRTUALENVS_PATH")
	if base == "" {
		cache := getenv("POETRY_CACHE_DIR")
		if cache == "" {
			cache = filepath.Join(userCache(getenv), "pypoetry")
		}
		base = filepath.Join(cache, "virtualenvs")
	}
	sum := sha256.Sum256([]byte(root))
	prefix := poetryUnsafe.ReplaceAllString(strings.ToLower(name), "_")
	if len(prefix) > 42 {
		prefix = prefix[:42]
	}
	prefix += "-" + base64.URLEncoding.EncodeToString(sum[:])[:8] + "-py"
	return newestEnv(base, prefix)
}

var poetryUnsafe = regexp.MustCompile("[ $`!*@\"\\\\\r\n\t]")

// pipenvPython finds pipenv's environment for a root holding a Pipfile:
// $WORKON_HOME (else ~/.local/share/virtualenvs)/<name>-<hash>.
func pipenvPython(root string, getenv func(string) string) string {
	pipfile := filepath.Join(root, "Pipfile")
	if !exists(pipfile) {
		return ""
	}
	base := getenv("WORKON_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".local", "share", "virtualenvs")
	}
	name := pipenvUnsafe.ReplaceAllString(filepath.Base(root), "_")
	if len(name) > 42 {
		name = name[:42]
	}
	sum := sha256.Sum256([]byte(pipfile))
	return envPython(filepath.Join(base, name+"-"+base64.URLEncoding.EncodeToString(sum[:6])[:8]))
}

var pipenvUnsafe = regexp.MustCompile("[ &$`!*@\"()\\[\\]\\\\\r\n\t]")

// newestEnv is the python of the environment in base whose name starts
// with prefix and ends with the highest version.
func newestEnv(base, prefix string) string {
	matches, _ := filepath.Glob(filepath.Join(base, prefix+"*"))
	sort.Slice(matches, func(i, j int) bool { return versionLess(matches[j], matches[i]) })
	for _, m := range matches {
		if py := envPython(m); py != "" {
			return py
		}
	}
	return ""
}

// versionLess orders "...-py3.9" before "...-py3.12".
func versionLess(a, b string) bool {
	va, vb := a[strings.LastIndex(a, "-py")+3:], b[strings.LastIndex(b, "-py")+3:]
	var a1, a2, b1, b2 int
	fmt.Sscanf(va, "%d.%d", &a1, &a2)
	fmt.Sscanf(vb, "%d.%d", &b1, &b2)
	return a1 < b1 || a1 == b1 && a2 < b2
}

func userCache(getenv func(string) string) string {
	if x := getenv("XDG_CACHE_HOME"); x != "" {
		return x
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
