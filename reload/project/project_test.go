package project_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/project"
)

func write(t *testing.T, dir string, files map[string]string) {
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
}

func TestFindRootWalksUpToTheNearestMarker(t *testing.T) {
	top := t.TempDir()
	for _, marker := range project.RootMarkers {
		dir := filepath.Join(top, marker+"-project")
		require.NoError(t, os.MkdirAll(filepath.Join(dir, marker), 0o755)) // .git is a directory; a file works the same
		write(t, dir, map[string]string{"shop/sub/mod.py": ""})
		for _, start := range []string{dir, filepath.Join(dir, "shop"), filepath.Join(dir, "shop/sub"), filepath.Join(dir, "shop/sub/mod.py")} {
			root, found := project.FindRoot(start)
			assert.True(t, found, start)
			assert.Equal(t, dir, root, start)
		}
	}
	// The nearest wins: a nested project inside a repository.
	write(t, top, map[string]string{"repo/.git/HEAD": "", "repo/svc/pyproject.toml": "", "repo/svc/app/x.py": ""})
	root, _ := project.FindRoot(filepath.Join(top, "repo/svc/app/x.py"))
	assert.Equal(t, filepath.Join(top, "repo/svc"), root)
}

func TestFindRootWithoutMarkerIsTheStartDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, found := project.FindRoot("/"); found {
		t.Skip("a marker above the temporary directory")
	}
	write(t, dir, map[string]string{"a/b.py": ""})
	root, found := project.FindRoot(filepath.Join(dir, "a/b.py"))
	if found {
		t.Skipf("a marker above %s", dir)
	}
	assert.Equal(t, filepath.Join(dir, "a"), root)
}

func TestSysPath(t *testing.T) {
	dir := t.TempDir()
	assert.Equal(t, []string{dir}, project.SysPath(dir, nil), "flat layout: the root")

	write(t, dir, map[string]string{"src/shop/__init__.py": "", "lib/util.py": "", "vendor/x.py": ""})
	assert.True(t, project.SrcLayout(dir))
	assert.Equal(t, []string{dir, filepath.Join(dir, "src"), filepath.Join(dir, "lib")},
		project.SysPath(dir, []string{"lib", "missing", "src", dir}), "src layout, then paths; missing and repeated entries dropped")

	write(t, dir, map[string]string{"pyproject.toml": "[tool.pytest.ini_options]\npythonpath = [\"vendor\", \"lib\"]\n"})
	assert.Equal(t, []string{dir, filepath.Join(dir, "src"), filepath.Join(dir, "lib"), filepath.Join(dir, "vendor")},
		project.SysPath(dir, []string{"lib"}), "pytest's pythonpath last")

	ini := t.TempDir()
	write(t, ini, map[string]string{"pytest.ini": "[pytest]\naddopts = -q\npythonpath = a\n  b\n", "a/x.py": "", "b/y.py": ""})
	assert.Equal(t, []string{ini, filepath.Join(ini, "a"), filepath.Join(ini, "b")}, project.SysPath(ini, nil))

	pkg := t.TempDir()
	write(t, pkg, map[string]string{"src/__init__.py": "", "src/x.py": ""})
	assert.False(t, project.SrcLayout(pkg), "a package named src is not the src layout")
	assert.Equal(t, []string{pkg}, project.SysPath(pkg, nil))
}

// venv makes a real virtual environment of Debian's python3.
func venv(t *testing.T, dir string) string {
	out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	return filepath.Join(dir, "bin", "python3")
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFindPythonOrder(t *testing.T) {
	root := t.TempDir()
	none := env(nil)
	got, err := project.FindPython(root, "", none)
	require.NoError(t, err)
	assert.Equal(t, project.Python{}, got, "nothing declared: the embedded CPython")
	assert.Equal(t, "the embedded CPython", got.String())

	dotvenv := venv(t, filepath.Join(root, ".venv"))
	got, _ = project.FindPython(root, "", none)
	assert.Equal(t, project.Python{Path: dotvenv, Origin: ".venv in the root"}, got)

	active := venv(t, filepath.Join(t.TempDir(), "env"))
	got, _ = project.FindPython(root, "", env(map[string]string{"VIRTUAL_ENV": filepath.Dir(filepath.Dir(active))}))
	assert.Equal(t, project.Python{Path: active, Origin: "VIRTUAL_ENV"}, got, "an activated venv goes before the root's")

	got, _ = project.FindPython(root, "/usr/bin/python3", env(map[string]string{"VIRTUAL_ENV": filepath.Dir(filepath.Dir(active))}))
	assert.Equal(t, project.Python{Path: "/usr/bin/python3", Origin: "the pythonPath setting"}, got, "the setting goes first")
	got, _ = project.FindPython(root, ".venv/bin/python3", none)
	assert.Equal(t, dotvenv, got.Path, "a relative setting is relative to the root")
	got, err = project.FindPython(root, "python3", none)
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(got.Path), "a command name is looked up on PATH")

	_, err = project.FindPython(root, "/nonexistent/python", none)
	assert.ErrorContains(t, err, "pythonPath /nonexistent/python: no such executable")
}

func TestFindPythonToolConventions(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"My Shop\"\n"})
	cache := t.TempDir()
	// poetry's name for root's environment: lowercased name, spaces as _,
	// the first 8 characters of the URL-safe base64 SHA-256 of the root.
	out, err := exec.Command("/usr/bin/python3", "-c", `import base64, hashlib, sys
print("my_shop-" + base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode()[:8])`, root).Output()
	require.NoError(t, err)
	name := string(out[:len(out)-1])
	venv(t, filepath.Join(cache, "virtualenvs", name+"-py3.9"))
	newest := venv(t, filepath.Join(cache, "virtualenvs", name+"-py3.11"))
	got, err := project.FindPython(root, "", env(map[string]string{"POETRY_CACHE_DIR": cache}))
	require.NoError(t, err)
	assert.Equal(t, project.Python{Path: newest, Origin: "poetry's environment for the project"}, got)

	pipenv := t.TempDir()
	write(t, pipenv, map[string]string{"Pipfile": ""})
	workon := t.TempDir()
	out, err = exec.Command("/usr/bin/python3", "-c", `import base64, hashlib, os, sys
print(os.path.basename(sys.argv[1]) + "-" + base64.urlsafe_b64encode(hashlib.sha256(os.path.join(sys.argv[1], "Pipfile").encode()).digest()[:6]).decode()[:8])`, pipenv).Output()
	require.NoError(t, err)
	py := venv(t, filepath.Join(workon, string(out[:len(out)-1])))
	got, _ = project.FindPython(pipenv, "", env(map[string]string{"WORKON_HOME": workon}))
	assert.Equal(t, project.Python{Path: py, Origin: "pipenv's environment for the project"}, got)

	conda := venv(t, filepath.Join(t.TempDir(), "conda-env"))
	prefix := filepath.Dir(filepath.Dir(conda))
	got, _ = project.FindPython(t.TempDir(), "", env(map[string]string{"CONDA_PREFIX": prefix, "CONDA_DEFAULT_ENV": "work"}))
	assert.Equal(t, project.Python{Path: conda, Origin: "the active conda environment"}, got)
	got, _ = project.FindPython(t.TempDir(), "", env(map[string]string{"CONDA_PREFIX": prefix, "CONDA_DEFAULT_ENV": "base"}))
	assert.Equal(t, project.Python{}, got, "conda's always-active base is not the project's")

	uv := venv(t, filepath.Join(root, "envs/uv"))
	got, _ = project.FindPython(root, "", env(map[string]string{"UV_PROJECT_ENVIRONMENT": "envs/uv"}))
	assert.Equal(t, project.Python{Path: uv, Origin: "UV_PROJECT_ENVIRONMENT"}, got)
}

func TestProbe(t *testing.T) {
	b, err := project.Probe(context.Background(), "/usr/bin/python3")
	require.NoError(t, err)
	assert.Equal(t, "cpython", b.Implementation)
	assert.Equal(t, 3, b.VersionInfo[0])
	assert.Contains(t, b.Version, b.Short())

	v := venv(t, filepath.Join(t.TempDir(), "v"))
	vb, err := project.Probe(context.Background(), v)
	require.NoError(t, err)
	assert.True(t, vb.Same(b), "a venv is its base interpreter's build")

	_, err = project.Probe(context.Background(), "/bin/false")
	assert.ErrorContains(t, err, "/bin/false does not run")
	for _, old := range []string{"2.7", "3.6", "3.7"} {
		matches, _ := filepath.Glob(filepath.Join(os.Getenv("HOME"), ".pyenv/versions", old+".*/bin/python"))
		if len(matches) == 0 {
			continue
		}
		_, err = project.Probe(context.Background(), matches[0])
		assert.ErrorContains(t, err, "is Python "+old, "an old Python is named, not a syntax error")
	}
}
