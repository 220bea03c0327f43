package main_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The aiohttp adapter on a real app (testdata/frameworks/aiohttp: a
// RouteTableDef of views added by an app factory, a route added on the
// router), served on loopback by Debian's aiohttp (its router frozen once it
// serves) under `pyreload run` and under aiohttp's own runner
// (python3 -m aiohttp.web) with the agent, driven over HTTP while
// `pyreload reload` applies edits. Helpers are in fw_fastapi_test.go.

func driveAiohttpEdits(t *testing.T, root string, port int) {
	reload := fwReloader(t, root, "board")
	expect := func(path string, code int, want string) {
		t.Helper()
		gotCode, gotBody := fwRequest(t, port, "GET", path, "")
		assert.Equal(t, code, gotCode, "GET %s: %s", path, gotBody)
		if want != "" {
			assert.Contains(t, gotBody, want, "GET %s", path)
		}
	}
	expect("/", 200, `{"page": "Board v1", "posts": 1}`)

	fwEdit(t, root, "board/views.py", `" v1"`, `" v2"`)
	reload("handler body", 0)
	expect("/", 200, `{"page": "Board v2", "posts": 2}`) // module state kept

	fwEdit(t, root, "board/views.py", `return "Board"`, `return "Forum"`)
	reload("helper", 0)
	expect("/", 200, `{"page": "Forum v2", "posts": 3}`)

	fwEdit(t, root, "board/views.py", "", "\n\n@routes.get(\"/about\")\nasync def about(request):\n"+
		"    return web.Response(text=\"about \" + heading())\n")
	reload("new route on the frozen router", 0)
	expect("/about", 200, "about Forum")

	fwEdit(t, root, "board/views.py", `@routes.get("/posts/{post_id}")`, `@routes.get("/p/{post_id}")`)
	reload("route path", 0)
	expect("/p/7", 200, "post 7")
	expect("/posts/7", 404, "")

	fwEdit(t, root, "board/app.py", `return web.Response(text="ok")`, `return web.Response(text="ok v2")`)
	reload("handler on the router", 0)
	expect("/health", 200, "ok v2")

	fwEdit(t, root, "board/views.py", `"about " + heading()`, `"about " + heading(`)
	res := reload("syntax error", 2)
	assert.Contains(t, res.Stderr, "SyntaxError")
	expect("/about", 200, "about Forum")
	expect("/", 200, `"posts": 4`)
	fwEdit(t, root, "board/views.py", `"about " + heading(`, `"about " + heading()`)

	fwEdit(t, root, "board/views.py", "\n\n@routes.get(\"/about\")\nasync def about(request):\n"+
		"    return web.Response(text=\"about \" + heading())\n", "")
	reload("removed route", 0)
	expect("/about", 404, "")
	expect("/", 200, `"posts": 5`)
}

// TestAiohttpAppUnderRun: web.run_app started by `pyreload run serve.py`.
func TestAiohttpAppUnderRun(t *testing.T) {
	needModules(t, "python3-aiohttp", "aiohttp")
	root := fwCopy(t, "aiohttp")
	_, out := startRun(t, root, "serve.py")
	driveAiohttpEdits(t, root, fwServing(t, fwPortFile(root), "/health", out))
}

// TestAiohttpAppUnderItsRunnerAndTheAgent: `python3 -m aiohttp.web
// board.app:make_app` started through the agent.
func TestAiohttpAppUnderItsRunnerAndTheAgent(t *testing.T) {
	needModules(t, "python3-aiohttp", "aiohttp")
	root := fwCopy(t, "aiohttp")
	port := fwFreePort(t)
	out := fwAgent(t, root, "aiohttp.web", "-H", "127.0.0.1", "-P", strconv.Itoa(port),
		"board.app:make_app")
	driveAiohttpEdits(t, root, fwServing(t, func() int { return port }, "/health", out))
}
