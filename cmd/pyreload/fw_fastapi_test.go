package main_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// The Starlette/FastAPI and pydantic adapters on a real app
// (testdata/frameworks/fastapi: an app including an APIRouter with a prefix,
// a pydantic v1 model with a validator, a Depends callable), served on
// loopback by Debian's FastAPI and uvicorn under `pyreload run` and under
// `uvicorn` with the agent, driven over HTTP while `pyreload reload` applies
// edits.

const fwPython = "/usr/bin/python3"

// needModules skips when Debian's packages for these imports are absent
// (.ci/install-deps.sh installs them).
func needModules(t testing.TB, packages string, imports ...string) {
	t.Helper()
	if exec.Command(fwPython, "-c", "import "+strings.Join(imports, ", ")).Run() != nil {
		t.Skipf("%s not installed (.ci/install-deps.sh installs them)", packages)
	}
}

// fwCopy copies testdata/frameworks/<name> into a fresh workspace (its own
// socket directory).
func fwCopy(t testing.TB, name string) string {
	src := filepath.Join(testbinary.RepoRoot(), "testdata", "frameworks", name)
	files := map[string]string{}
	require.NoError(t, filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.Contains(p, "__pycache__") {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(src, p)
		files[rel] = string(data)
		return err
	}))
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	testbinary.WriteTree(t, root, files)
	return root
}

// fwRequest does one request (body: JSON or empty) and returns status and body.
func fwRequest(t testing.TB, port int, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path),
		strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

// fwServing waits until GET path answers 200 on the port port() gives.
func fwServing(t testing.TB, port func() int, path string, log fmt.Stringer) int {
	t.Helper()
	var p int
	require.Eventually(t, func() bool {
		if p = port(); p == 0 {
			return false
		}
		c := http.Client{Timeout: time.Second}
		resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", p, path))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 30*time.Second, 50*time.Millisecond, "the app never served; its output: %s", log)
	return p
}

// fwPortFile reads the port serve.py wrote.
func fwPortFile(root string) func() int {
	return func() int {
		data, _ := os.ReadFile(filepath.Join(root, "port"))
		p, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		return p
	}
}

// fwFreePort returns a loopback port free right now.
func fwFreePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// fwEdit replaces old (which must be there) by new in a file of the app;
// old "" appends new.
func fwEdit(t testing.TB, root, rel, old, new string) {
	t.Helper()
	path := filepath.Join(root, rel)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(data) + new
	if old != "" {
		require.Contains(t, string(data), old, "edit of %s", rel)
		text = strings.Replace(string(data), old, new, 1)
	}
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// fwAgent starts `python3 -m pyreload_agent --root ROOT args...` (the
// framework's own runner under the agent).
func fwAgent(t testing.TB, root string, args ...string) *testbinary.SyncBuffer {
	t.Helper()
	agentDir, err := exec.Command(testbinary.Path(t), "agent", "--path").Output()
	require.NoError(t, err)
	cmd := exec.Command(fwPython, append([]string{"-m", "pyreload_agent", "--root", root}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PYTHONPATH="+strings.TrimSpace(string(agentDir)))
	out := &testbinary.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return out
}

// fwReloader reloads pkg in root and checks the exit code.
func fwReloader(t *testing.T, root, pkg string) func(what string, code int) testbinary.Result {
	return func(what string, code int) testbinary.Result {
		t.Helper()
		res := testbinary.Run(t, root, nil, "reload", "--root", root, pkg)
		require.Equal(t, code, res.Code, "%s: %s%s", what, res.Stdout, res.Stderr)
		return res
	}
}

// driveFastAPIEdits applies a user's edits one by one, reloading after each,
// and checks what the running app serves.
func driveFastAPIEdits(t *testing.T, root string, port int) {
	reload := fwReloader(t, root, "shop")
	expect := func(method, path, body string, code int, want string) {
		t.Helper()
		gotCode, gotBody := fwRequest(t, port, method, path, body)
		assert.Equal(t, code, gotCode, "%s %s: %s", method, path, gotBody)
		if want != "" {
			assert.Contains(t, gotBody, want, "%s %s", method, path)
		}
	}
	expect("GET", "/", "", 200, `{"page":"home v1","visits":1}`)

	fwEdit(t, root, "shop/main.py", `"home v1"`, `"home v2"`)
	reload("endpoint body", 0)
	expect("GET", "/", "", 200, `{"page":"home v2","visits":2}`) // module state kept

	fwEdit(t, root, "shop/routers/items.py", `"item %d"`, `"thing %d"`)
	reload("helper", 0)
	expect("GET", "/v1/items/3", "", 200, `{"id":3,"label":"thing 3"}`)

	fwEdit(t, root, "shop/routers/items.py", "def read_item(item_id: int):\n    return {\"id\": item_id,",
		"def read_item(item_id: int, q: str = \"-\"):\n    return {\"id\": item_id, \"q\": q,")
	reload("endpoint signature", 0)
	expect("GET", "/v1/items/3?q=x", "", 200, `{"id":3,"q":"x","label":"thing 3"}`)

	fwEdit(t, root, "shop/main.py", "", "\n\n@app.get(\"/about\")\ndef about():\n    return \"about v1\"\n")
	reload("new app route", 0)
	expect("GET", "/about", "", 200, "about v1")

	fwEdit(t, root, "shop/routers/items.py", "",
		"\n\n@router.get(\"/stock/count\")\ndef count():\n    return len(STOCK)\n")
	reload("new route in the included router", 0)
	expect("GET", "/v1/items/stock/count", "", 200, "0")
	expect("POST", "/v1/items/", `{"name": " ann "}`, 200,
		`{"item":{"name":"ann","price":0},"key":"key-1","stock":1}`)

	fwEdit(t, root, "shop/models.py", "    price: float = 0\n", "    price: float = 0\n    qty: int = 1\n")
	res := reload("model field", 1)
	assert.Contains(t, res.Stdout+res.Stderr, "1 instance of pydantic model shop.models.Item made before its fields changed lack qty")
	assert.Contains(t, res.Stdout+res.Stderr, "stale-instance")
	expect("POST", "/v1/items/", `{"name": "bob", "qty": 3}`, 200,
		`{"item":{"name":"bob","price":0,"qty":3},"key":"key-1","stock":2}`)

	fwEdit(t, root, "shop/models.py", "v.strip()", "v.strip().title()")
	reload("validator", 0)
	expect("POST", "/v1/items/", `{"name": " cy "}`, 200, `"name":"Cy"`)

	fwEdit(t, root, "shop/models.py", "", "\n    @validator(\"qty\")\n    def positive(cls, v):\n"+
		"        if v < 1:\n            raise ValueError(\"qty must be positive\")\n        return v\n")
	reload("new validator", 0)
	expect("POST", "/v1/items/", `{"name": "dee", "qty": 0}`, 422, "qty must be positive")

	fwEdit(t, root, "shop/deps.py", `"key-1"`, `"key-2"`)
	reload("dependency", 0)
	expect("POST", "/v1/items/", `{"name": "eve"}`, 200, `"key":"key-2"`)

	fwEdit(t, root, "shop/routers/items.py", `return len(STOCK)`, `return len(STOCK`)
	res = reload("syntax error", 2)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("GET", "/v1/items/stock/count", "", 200, "4")
	expect("GET", "/", "", 200, `{"page":"home v2","visits":3}`)
	fwEdit(t, root, "shop/routers/items.py", `return len(STOCK`, `return len(STOCK)`)

	fwEdit(t, root, "shop/main.py", "\n\n@app.get(\"/about\")\ndef about():\n    return \"about v1\"\n", "")
	reload("removed route", 0)
	expect("GET", "/about", "", 404, "")
	expect("GET", "/v1/items/stock/count", "", 200, "4")
}

// TestFastAPIAppUnderRun: uvicorn started by `pyreload run serve.py`.
func TestFastAPIAppUnderRun(t *testing.T) {
	needModules(t, "python3-fastapi / python3-uvicorn", "fastapi", "uvicorn")
	root := fwCopy(t, "fastapi")
	_, out := startRun(t, root, "serve.py")
	driveFastAPIEdits(t, root, fwServing(t, fwPortFile(root), "/v1/items/1", out))
}

// TestFastAPIAppUnderUvicornAndTheAgent: `uvicorn shop.main:app` started
// through the agent (python3 -m pyreload_agent --root ROOT uvicorn ...).
func TestFastAPIAppUnderUvicornAndTheAgent(t *testing.T) {
	needModules(t, "python3-fastapi / python3-uvicorn", "fastapi", "uvicorn")
	root := fwCopy(t, "fastapi")
	port := fwFreePort(t)
	out := fwAgent(t, root, "uvicorn", "shop.main:app", "--host", "127.0.0.1",
		"--port", strconv.Itoa(port), "--log-level", "warning")
	driveFastAPIEdits(t, root, fwServing(t, func() int { return port }, "/v1/items/1", out))
}

// BenchmarkFastAPIEditToResponse: on the FastAPI test app under `pyreload
// run`, a one-endpoint edit from the save to the first response over HTTP
// that shows it. "reload": the save, then `pyreload reload` (a new process
// each time, as an editor hook or a terminal runs it), then one GET.
// "watch": the save only, with `pyreload reload --watch` running
// ([tool.pyreload] debounceMs = 1), polling GET every millisecond.
func BenchmarkFastAPIEditToResponse(b *testing.B) {
	needModules(b, "python3-fastapi / python3-uvicorn", "fastapi", "uvicorn")
	root := fwCopy(b, "fastapi")
	require.NoError(b, os.WriteFile(filepath.Join(root, "pyproject.toml"),
		[]byte("[tool.pyreload]\ndebounceMs = 1\n"), 0o644))
	out := fwStartRun(b, root)
	port := fwServing(b, fwPortFile(root), "/v1/items/1", out)
	path := filepath.Join(root, "shop", "main.py")
	original, err := os.ReadFile(path)
	require.NoError(b, err)
	version := 1
	save := func() string {
		version++
		text := strings.Replace(string(original), `"home v1"`, fmt.Sprintf(`"home v%d"`, version), 1)
		require.NoError(b, os.WriteFile(path, []byte(text), 0o644))
		return fmt.Sprintf(`"home v%d"`, version)
	}
	b.Run("reload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			want := save()
			res := testbinary.Run(b, root, nil, "reload", "--root", root, "shop")
			require.Equal(b, 0, res.Code, res.Stderr)
			_, body := fwRequest(b, port, "GET", "/", "")
			require.Contains(b, body, want)
		}
	})
	b.Run("watch", func(b *testing.B) {
		watch := exec.Command(testbinary.Path(b), "reload", "--watch", "--root", root, "shop")
		watch.Dir = root
		log := &testbinary.SyncBuffer{}
		watch.Stdout, watch.Stderr = log, log
		require.NoError(b, watch.Start())
		defer func() { watch.Process.Kill(); watch.Wait() }()
		require.Eventually(b, func() bool { return strings.Contains(log.String(), "watching") },
			10*time.Second, 10*time.Millisecond)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			want := save()
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, body := fwRequest(b, port, "GET", "/", "")
				if strings.Contains(body, want) {
					break
				}
				require.True(b, time.Now().Before(deadline), "never served %s; watch: %s", want, log)
				time.Sleep(time.Millisecond)
			}
		}
	})
}

// fwStartRun starts `pyreload run serve.py` in root for a benchmark.
func fwStartRun(b *testing.B, root string) *testbinary.SyncBuffer {
	cmd := exec.Command(testbinary.Path(b), "run", "serve.py")
	cmd.Dir = root
	out := &testbinary.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(b, cmd.Start())
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return out
}
