package main_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The Celery adapter on a real app (testdata/frameworks/celery: an eager app,
// no broker) under `pyreload run serve.py`: serve.py runs tasks by name over
// HTTP on loopback while `pyreload reload` applies edits.
func TestCeleryTasksUnderRun(t *testing.T) {
	needModules(t, "python3-celery", "celery")
	root := fwCopy(t, "celery")
	_, out := startRun(t, root, "serve.py")
	port := fwServing(t, fwPortFile(root), "/label", out)
	reload := fwReloader(t, root, "proj")
	expect := func(path string, code int, want string) {
		t.Helper()
		gotCode, gotBody := fwRequest(t, port, "GET", path, "")
		assert.Equal(t, code, gotCode, "GET %s: %s", path, gotBody)
		assert.Contains(t, gotBody, want, "GET %s", path)
	}
	expect("/aliased", 200, "True")
	expect("/proj.tasks.add?arg=1&arg=2", 200, "3")

	fwEdit(t, root, "proj/tasks.py", "(x + y) * helpers", "(x + y + 100) * helpers")
	reload("task body", 0)
	expect("/proj.tasks.add?arg=1&arg=2", 200, "103")

	fwEdit(t, root, "proj/helpers.py", "return 1", "return 2")
	reload("helper", 0)
	expect("/proj.tasks.add?arg=1&arg=2", 200, "206")

	fwEdit(t, root, "proj/tasks.py", "@app.task(name=\"proj.tasks.mul\")\ndef mul(x, y):\n    CALLS.append(\"mul\")\n    return x * y",
		"@app.task(name=\"proj.tasks.mul\", bind=True)\ndef mul(self, x, y):\n    CALLS.append(self.name)\n    return x * y * 10")
	reload("task decorator", 0)
	expect("/proj.tasks.mul?arg=2&arg=3", 200, "60")

	expect("/proj.tasks.sub?arg=5&arg=1", 404, "no task")
	fwEdit(t, root, "proj/tasks.py", "", "\n\n@app.task\ndef sub(x, y):\n    return x - y\n")
	reload("new task", 0)
	expect("/proj.tasks.sub?arg=5&arg=1", 200, "4")

	fwEdit(t, root, "proj/tasks.py", "return x - y\n", "return x - y +\n")
	res := reload("syntax error", 2)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("/proj.tasks.sub?arg=5&arg=1", 200, "4")
	fwEdit(t, root, "proj/tasks.py", "return x - y +\n", "return x - y\n")

	fwEdit(t, root, "proj/tasks.py", "\n\ndef label():\n    return \"tasks v1\"\n", "")
	res = reload("deleted function serve.py imported", 1)
	assert.Equal(t, 1, strings.Count(res.Stdout, "`label` in serve.py is bound to `proj.tasks.label`"),
		"one finding, not one per alias (__mp_main__): %s", res.Stdout)
	expect("/proj.tasks.mul?arg=2&arg=3", 200, "60")
}
