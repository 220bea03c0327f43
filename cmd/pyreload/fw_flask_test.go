package main_test

import (
	"encoding/json"
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

// The Flask adapter on a real app (testdata/frameworks/flask: an app factory,
// blueprints, a login_required view, Flask-SQLAlchemy on sqlite), served on
// loopback by Debian's Flask under `pyreload run` and under `flask run` with
// the agent, driven over HTTP while `pyreload reload` applies edits.

// fetch does one request; header "user" logs in.
func fetch(t testing.TB, port int, method, path string, user bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	require.NoError(t, err)
	if user {
		req.Header.Set("X-User", "ann")
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// driveFlaskEdits applies the user's edits one by one, reloading after each,
// and checks what the running app serves.
func driveFlaskEdits(t *testing.T, root string, port int) {
	reload := func() testbinary.Result {
		return testbinary.Run(t, root, nil, "reload", "--root", root, "flaskr")
	}
	ok := func(what string) {
		t.Helper()
		res := reload()
		require.Equal(t, 0, res.Code, "%s: %s", what, res.Stderr)
	}
	expect := func(method, path string, user bool, code int, body string) {
		t.Helper()
		gotCode, gotBody := fetch(t, port, method, path, user)
		assert.Equal(t, code, gotCode, "%s %s: %s", method, path, gotBody)
		if body != "" {
			assert.Contains(t, gotBody, body, "%s %s", method, path)
		}
	}
	expect("GET", "/", false, 200, "Posts v1 (1 visits): hello: first post")

	fwEdit(t, root, "flaskr/blog.py", `"%s v1 (%d visits)`, `"%s v2 (%d visits)`)
	ok("view body")
	expect("GET", "/", false, 200, "Posts v2 (2 visits)") // module state kept

	fwEdit(t, root, "flaskr/blog.py", `return "Posts"`, `return "Articles"`)
	ok("helper")
	expect("GET", "/", false, 200, "Articles v2 (3 visits)")

	fwEdit(t, root, "flaskr/blog.py", `return "create v1"`, `return "create v2"`)
	ok("decorated view")
	expect("GET", "/create", true, 200, "create v2")
	expect("GET", "/create", false, 401, "log in first")

	fwEdit(t, root, "flaskr/blog.py", `@bp.route("/create", methods=("GET", "POST"))`,
		`@bp.route("/write", methods=("GET", "PUT"))`)
	ok("changed route decorator")
	expect("PUT", "/write", true, 200, "create v2")
	expect("GET", "/create", true, 404, "")
	expect("POST", "/write", true, 405, "")

	data, err := os.ReadFile(filepath.Join(root, "flaskr", "blog.py"))
	require.NoError(t, err)
	withAbout := string(data) + "\n\n@bp.route(\"/about\")\ndef about():\n    return \"about \" + heading()\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "flaskr", "blog.py"), []byte(withAbout), 0o644))
	ok("new route")
	expect("GET", "/about", false, 200, "about Articles")

	fwEdit(t, root, "flaskr/models.py", `"%s: %s"`, `"%s - %s"`)
	ok("model method")
	expect("GET", "/", false, 200, "hello - first post")

	fwEdit(t, root, "flaskr/models.py", "    body = db.Column(db.String(200))\n",
		"    body = db.Column(db.String(200))\n    author = db.Column(db.String(40))\n")
	res := testbinary.Run(t, root, nil, "reload", "--root", root, "--json", "flaskr")
	assert.Equal(t, 1, res.Code, "a changed column is a finding: %s", res.Stderr)
	var reps []struct {
		Stale []struct {
			Code, Message, File string
			Line                int
		} `json:"stale"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &reps), res.Stdout)
	require.Len(t, reps, 1)
	require.Len(t, reps[0].Stale, 1, res.Stdout)
	finding := reps[0].Stale[0]
	assert.Equal(t, "restart-needed", finding.Code)
	assert.Contains(t, finding.Message, "model `Post` (table 'post'): added column author")
	assert.Equal(t, filepath.Join(root, "flaskr", "models.py"), finding.File)
	assert.Equal(t, 4, finding.Line, "the class line")
	expect("GET", "/", false, 200, "hello - first post") // the old mapping serves

	fwEdit(t, root, "flaskr/models.py", "    author = db.Column(db.String(40))\n", "")
	ok("column reverted: the mapping matches again") // the finding stayed until now

	require.NoError(t, os.WriteFile(filepath.Join(root, "flaskr", "blog.py"),
		[]byte(strings.Replace(withAbout, "def about():", "def about(:", 1)), 0o644))
	res = reload()
	assert.Equal(t, 2, res.Code, "a syntax error rolls back: %s", res.Stderr)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("GET", "/about", false, 200, "about Articles")
	expect("GET", "/", false, 200, "Articles v2")

	require.NoError(t, os.WriteFile(filepath.Join(root, "flaskr", "blog.py"),
		[]byte(strings.Split(withAbout, "\n\n@bp.route(\"/about\")")[0]+"\n"), 0o644))
	ok("removed route")
	expect("GET", "/about", false, 404, "")
	expect("GET", "/", false, 200, "Articles v2")
}

// TestFlaskAppUnderRun: the app started by `pyreload run serve.py`.
func TestFlaskAppUnderRun(t *testing.T) {
	needModules(t, "python3-flask / python3-flask-sqlalchemy", "flask", "flask_sqlalchemy")
	root := fwCopy(t, "flask")
	_, out := startRun(t, root, "serve.py")
	port := fwServing(t, fwPortFile(root), "/auth/login", out)
	driveFlaskEdits(t, root, port)
}

// TestFlaskAppUnderFlaskRunAndTheAgent: `flask --app flaskr run` started
// through the agent (python3 -m pyreload_agent --root ROOT flask ...).
func TestFlaskAppUnderFlaskRunAndTheAgent(t *testing.T) {
	needModules(t, "python3-flask / python3-flask-sqlalchemy", "flask", "flask_sqlalchemy")
	root := fwCopy(t, "flask")
	out, free := startFlaskRun(t, root)
	port := fwServing(t, func() int { return free }, "/auth/login", out)
	driveFlaskEdits(t, root, port)
}

// startFlaskRun starts `flask run` under the agent on a free port.
func startFlaskRun(t testing.TB, root string) (*testbinary.SyncBuffer, int) {
	t.Helper()
	agentDir, err := exec.Command(testbinary.Path(t), "agent", "--path").Output()
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(fwPython, "-m", "pyreload_agent", "--root", root,
		"flask", "--app", "flaskr", "run", "--port", strconv.Itoa(port), "--no-reload",
		"--no-debugger")
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
	return out, port
}

// BenchmarkFlaskEditToResponse: on the Flask test app under `pyreload run`, a
// one-view edit from the save to the first response over HTTP that shows it.
// "reload": the save, then `pyreload reload` (a new process each time, as an
// editor hook or a terminal runs it), then one GET. "watch": the save only,
// with `pyreload reload --watch` running ([tool.pyreload] debounceMs = 1),
// polling GET every millisecond.
func BenchmarkFlaskEditToResponse(b *testing.B) {
	needModules(b, "python3-flask / python3-flask-sqlalchemy", "flask", "flask_sqlalchemy")
	root := fwCopy(b, "flask")
	require.NoError(b, os.WriteFile(filepath.Join(root, "pyproject.toml"),
		[]byte("[tool.pyreload]\ndebounceMs = 1\n"), 0o644))
	cmd := exec.Command(testbinary.Path(b), "run", "serve.py")
	cmd.Dir = root
	out := &testbinary.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(b, cmd.Start())
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	port := fwServing(b, fwPortFile(root), "/auth/login", out)
	path := filepath.Join(root, "flaskr", "blog.py")
	original, err := os.ReadFile(path)
	require.NoError(b, err)
	version := 1
	save := func() string {
		version++
		text := strings.Replace(string(original), `"create v1"`, fmt.Sprintf(`"create v%d"`, version), 1)
		require.NoError(b, os.WriteFile(path, []byte(text), 0o644))
		return fmt.Sprintf("create v%d", version)
	}
	b.Run("reload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			want := save()
			res := testbinary.Run(b, root, nil, "reload", "--root", root, "flaskr")
			require.Equal(b, 0, res.Code, res.Stderr)
			_, body := fetch(b, port, "GET", "/create", true)
			require.Equal(b, want, body)
		}
	})
	b.Run("watch", func(b *testing.B) {
		watch := exec.Command(testbinary.Path(b), "reload", "--watch", "--root", root, "flaskr")
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
				_, body := fetch(b, port, "GET", "/create", true)
				if body == want {
					break
				}
				require.True(b, time.Now().Before(deadline), "never served %s; watch: %s", want, log)
				time.Sleep(time.Millisecond)
			}
		}
	})
}
