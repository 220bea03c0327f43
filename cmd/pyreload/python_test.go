package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// makeVenv makes a real virtual environment with python (python3 -m venv)
// holding a package `venvonly` that exists nowhere else, and returns its
// python.
func makeVenv(t *testing.T, python, dir, where string) string {
	t.Helper()
	out, err := exec.Command(python, "-m", "venv", "--without-pip", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	py := filepath.Join(dir, "bin", "python3")
	site, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").Output()
	require.NoError(t, err)
	testbinary.WriteTree(t, strings.TrimSpace(string(site)), map[string]string{"venvonly/__init__.py": "WHERE = " + `"` + where + `"` + "\n"})
	return py
}

const venvApp = "import sys, venvonly\nprint('venvonly from', venvonly.WHERE, 'in', sys.executable, sys.version.split()[0])\n"

// TestRunUsesTheProjectsVirtualenv: a package that exists only in the
// project's venv imports under `pyreload run`, as under the venv's python:
// a .venv in the root, else an activated VIRTUAL_ENV, the pythonPath
// setting before both.
func TestRunUsesTheProjectsVirtualenv(t *testing.T) {
	root := workspace(t, map[string]string{"app.py": venvApp, "pyproject.toml": ""})
	r := pyreload(t, root, "run", "app.py")
	assert.Equal(t, 1, r.Code, "without a venv there is no venvonly")
	assert.Contains(t, r.Stderr, "No module named 'venvonly'")

	dotvenv := makeVenv(t, "/usr/bin/python3", filepath.Join(root, ".venv"), "dotvenv")
	r = pyreload(t, root, "run", "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "venvonly from dotvenv in "+dotvenv)

	// An editable install is a .pth file in site-packages naming a source tree.
	editable := t.TempDir()
	testbinary.WriteTree(t, editable, map[string]string{"devpkg/__init__.py": "NAME = 'editable'\n"})
	site, err := exec.Command(dotvenv, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").Output()
	require.NoError(t, err)
	testbinary.WriteTree(t, strings.TrimSpace(string(site)), map[string]string{"__editable__.devpkg.pth": editable + "\n"})
	testbinary.WriteTree(t, root, map[string]string{"dev.py": "import devpkg\nprint(devpkg.NAME, devpkg.__file__)\n"})
	r = pyreload(t, root, "run", "dev.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "editable "+filepath.Join(editable, "devpkg", "__init__.py"))

	active := makeVenv(t, "/usr/bin/python3", filepath.Join(t.TempDir(), "active"), "active")
	r = testbinary.Run(t, root, append(os.Environ(), "VIRTUAL_ENV="+filepath.Dir(filepath.Dir(active))), "run", "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "venvonly from active in "+active, "an activated venv goes first")

	require.NoError(t, os.WriteFile(filepath.Join(root, "pyproject.toml"), []byte("[tool.pyreload]\npythonPath = "+`"`+active+`"`+"\n"), 0o644))
	r = pyreload(t, root, "run", "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "venvonly from active", "the pythonPath setting")

	r = pyreload(t, root, "run", "--python", dotvenv, "app.py")
	assert.Contains(t, r.Stdout, "venvonly from dotvenv", "--python before the setting")

	r = pyreload(t, root, "run", "--python", "/nonexistent/python3", "app.py")
	assert.Equal(t, 66, r.Code)
	assert.Contains(t, r.Stderr, "pythonPath /nonexistent/python3: no such executable")
}

// srcProject is a project in the src layout whose entry keeps the app
// running and prints what shop says whenever it changes.
var srcProject = map[string]string{
	"pyproject.toml":       "[project]\nname = \"shop\"\n[tool.pyreload]\nentry = \"app.main:main\"\nmode = \"patch\"\n",
	"src/shop/__init__.py": "",
	"src/shop/core.py":     "def hello():\n    return 'hello v1'\n",
	"src/app/__init__.py":  "",
	"src/app/main.py": `import time
from shop import core


def main():
    said = None
    while True:
        if core.hello() != said:
            said = core.hello()
            print(said, flush=True)
        time.sleep(0.02)
`,
}

// TestSrcLayoutRunAndReload: `pyreload run` finds app.main under src/, and
// `pyreload reload` from a subdirectory finds the root and reloads `shop`,
// by name or by file.
func TestSrcLayoutRunAndReload(t *testing.T) {
	root := workspace(t, srcProject)
	_, out := startRun(t, root)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "hello v1") }, 20*time.Second, 20*time.Millisecond, "%s", out)

	testbinary.WriteTree(t, root, map[string]string{"src/shop/core.py": "def hello():\n    return 'hello v2'\n"})
	r := pyreload(t, filepath.Join(root, "src", "shop"), "reload", "shop")
	assert.Equal(t, 0, r.Code, "%s%s", r.Stdout, r.Stderr)
	assert.Contains(t, r.Stderr, "reloaded shop")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "hello v2") }, 20*time.Second, 20*time.Millisecond, "%s", out)

	testbinary.WriteTree(t, root, map[string]string{"src/shop/core.py": "def hello():\n    return 'hello v3'\n"})
	r = pyreload(t, filepath.Join(root, "src"), "reload", "shop/core.py")
	assert.Equal(t, 0, r.Code, "%s%s", r.Stdout, r.Stderr)
	assert.Contains(t, r.Stderr, "reloaded shop", "a file under src/ belongs to shop, not src")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "hello v3") }, 20*time.Second, 20*time.Millisecond, "%s", out)
}

// TestRootIsFoundFromASubdirectory: run and reload walk up to the nearest
// pyproject.toml, setup.py, setup.cfg or .git.
func TestRootIsFoundFromASubdirectory(t *testing.T) {
	for _, marker := range []string{"setup.cfg", ".git/HEAD"} {
		t.Run(marker, func(t *testing.T) {
			root := workspace(t, map[string]string{
				marker:             "",
				"shop/__init__.py": "",
				"shop/sub/x.py":    "",
				"main.py":          "import threading, shop\nprint('up', flush=True)\nthreading.Event().wait()\n",
			})
			cmd := exec.Command(testbinary.Path(t), "run", "../main.py")
			cmd.Dir = filepath.Join(root, "shop")
			out := &testbinary.SyncBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			require.Eventually(t, func() bool { return strings.Contains(out.String(), "up") }, 20*time.Second, 20*time.Millisecond, "%s", out)
			testbinary.WriteTree(t, root, map[string]string{"shop/__init__.py": "VERSION = 2\n"})
			r := pyreload(t, filepath.Join(root, "shop", "sub"), "reload", "shop")
			assert.Equal(t, 0, r.Code, "%s%s", r.Stdout, r.Stderr)
			assert.Contains(t, r.Stderr, "reloaded shop")
			r = pyreload(t, filepath.Join(root, "shop", "sub"), "reload", "--root", filepath.Join(root, "shop"), "shop")
			assert.Equal(t, 3, r.Code, "--root still names the root: no interpreter serves shop/")
		})
	}
}

// otherPythons lists the CPythons other than Debian's python3 that
// .ci/other-pythons.sh finds (pyenv builds and the like).
func otherPythons(t *testing.T) []string {
	out, err := exec.Command("bash", filepath.Join(testbinary.RepoRoot(), ".ci", "other-pythons.sh")).Output()
	require.NoError(t, err)
	return strings.Fields(string(out))
}

// TestRunInEveryOtherPython: with any other CPython 3.8+ (its own venv
// holding venvonly), `pyreload run` hosts the app in it through the agent:
// its packages import, reload reaches it, exit codes pass through.
func TestRunInEveryOtherPython(t *testing.T) {
	pythons := otherPythons(t)
	if len(pythons) == 0 {
		t.Skip("no CPython besides /usr/bin/python3 on this machine (.ci/other-pythons.sh)")
	}
	for _, py := range pythons {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(py))), func(t *testing.T) {
			files := map[string]string{}
			for k, v := range srcProject {
				files[k] = v
			}
			files["src/app/main.py"] = "import sys, venvonly\nprint('in', sys.version.split()[0], venvonly.WHERE, flush=True)\n" + srcProject["src/app/main.py"]
			files["exit.py"] = "import sys, venvonly\nsys.exit(7)\n"
			root := workspace(t, files)
			venvPy := makeVenv(t, py, filepath.Join(root, ".venv"), "other")
			version, err := exec.Command(venvPy, "-c", "import sys; print(sys.version.split()[0])").Output()
			require.NoError(t, err)

			r := pyreload(t, root, "run", "exit.py")
			assert.Equal(t, 7, r.Code, r.Stderr)

			run, out := startRun(t, root)
			require.Eventually(t, func() bool { return strings.Contains(out.String(), "hello v1") }, 20*time.Second, 20*time.Millisecond, "%s", out)
			assert.Contains(t, out.String(), "in "+strings.TrimSpace(string(version))+" other")
			testbinary.WriteTree(t, root, map[string]string{"src/shop/core.py": "def hello():\n    return 'hello v2'\n"})
			r = pyreload(t, root, "reload", "src/shop/core.py")
			assert.Equal(t, 0, r.Code, "%s%s", r.Stdout, r.Stderr)
			require.Eventually(t, func() bool { return strings.Contains(out.String(), "hello v2") }, 20*time.Second, 20*time.Millisecond, "%s", out)

			// Ctrl-C is the app's KeyboardInterrupt, in that Python too.
			require.NoError(t, run.Process.Signal(syscall.SIGINT))
			done := make(chan struct{})
			go func() { run.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("run did not end on SIGINT: %s", out)
			}
			assert.Equal(t, 130, run.ProcessState.ExitCode(), "%s", out)
		})
	}
}

// TestRunInAnotherBuildOfTheEmbeddedVersion: a CPython of the embedded
// major.minor but another build (a pyenv 3.11.7 beside Debian's 3.11.2)
// is not loaded into the embedded libpython (its extension modules would
// not link: `import ssl` failed with an undefined symbol); it hosts the
// app through the agent.
func TestRunInAnotherBuildOfTheEmbeddedVersion(t *testing.T) {
	minor, err := exec.Command("/usr/bin/python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	require.NoError(t, err)
	home, _ := os.UserHomeDir()
	builds, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", strings.TrimSpace(string(minor))+".*", "bin", "python3"))
	var other string
	for _, py := range builds {
		same, _ := exec.Command(py, "-c", "import sys; print(sys.version)").Output()
		debian, _ := exec.Command("/usr/bin/python3", "-c", "import sys; print(sys.version)").Output()
		if string(same) != string(debian) {
			other = py
		}
	}
	if other == "" {
		t.Skipf("no other build of CPython %s here (pyenv)", strings.TrimSpace(string(minor)))
	}
	root := workspace(t, map[string]string{"app.py": "import ssl, sys\nprint('ssl', ssl.OPENSSL_VERSION_NUMBER > 0, sys.executable)\n"})
	r := pyreload(t, root, "run", "--python", other, "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "ssl True "+other)
}
