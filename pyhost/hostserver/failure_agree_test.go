package hostserver

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/pyhost"
	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/hostproto"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// agreeApp raises in three ways: an entry whose workspace code calls a
// library that raises (located at the workspace call), a user-defined
// exception class (named with its module), and a script's own class
// (named bare, as Python's traceback names a class of __main__).
var agreeApp = map[string]string{
	"agreeapp/__init__.py": "",
	"agreeapp/errors.py":   "class Refused(Exception):\n    pass\n\n\ndef refuse():\n    raise Refused('no entry for you')\n",
	"agreeapp/work.py":     "import json\n\n\ndef parse(text):\n    return json.loads(text)\n",
	"agreeapp/main.py":     "from agreeapp import work\n\n\ndef main():\n    return work.parse('{broken')\n",
	"agree_script.py":      "class Bad(Exception):\n    pass\n\n\nraise Bad('from the script')\n",
}

// agentFailures runs the entries in /usr/bin/python3 with the agent
// attached, as `python3 -m pyreload_agent` does, and returns each entry's
// status entry_error, and, as "raised " + target, the -32000 data of a
// request whose work calls that module:function target.
const agentFailures = `
import importlib, json, sys
root, out_path, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, root)
import pyreload_agent
from pyreload_agent import methods, server, target
agent = pyreload_agent.start(root)
assert agent.engine is not None, agent.engine_error
out = {}
for entry in entries:
    try:
        target.run(entry, [], root)
    except BaseException:
        pass
    out[entry] = target.entry_status()["entry_error"]
for name in ("agreeapp.errors:refuse", "agreeapp.main:main"):
    module, func = name.split(":")
    methods.dispatch = lambda agent, method, params: getattr(importlib.import_module(module), func)()
    job = server._Job("status", {})
    agent._run(job)
    out["raised " + name] = job.error.data
agent.stop()
with open(out_path, "w") as handle:
    json.dump(out, handle)
`

// TestHostAndAgentDescribeAFailureAlike: the embedded host (its entry's
// failure and a call's -32000 data, through pyhost.SetDescriber) and the
// agent (its entry's failure and a request's -32000 data) turn the same
// exceptions into the same Failure type, file, line and column: the
// engine's failure.from_exception is the one rule.
func TestHostAndAgentDescribeAFailureAlike(t *testing.T) {
	root, err := hostproto.CanonicalRoot(t.TempDir())
	require.NoError(t, err)
	testbinary.WriteTree(t, root, agreeApp)
	entries := []string{"agreeapp.main:main", "agreeapp.errors:refuse", "agree_script.py"}

	host := hostFailures(t, root, entries)
	agent := runAgentFailures(t, root, entries)

	want := map[string]reload.Failure{
		"agreeapp.main:main":     {Type: "json.decoder.JSONDecodeError", File: filepath.Join(root, "agreeapp", "work.py"), Line: 5},
		"agreeapp.errors:refuse": {Type: "agreeapp.errors.Refused", File: filepath.Join(root, "agreeapp", "errors.py"), Line: 6},
		"agree_script.py":        {Type: "Bad", File: filepath.Join(root, "agree_script.py"), Line: 5},
	}
	for _, entry := range entries[:2] {
		want["raised "+entry] = want[entry]
	}
	for name, w := range want {
		h, a := host[name], agent[name]
		require.NotNil(t, h, "the host's failure of %s", name)
		require.NotNil(t, a, "the agent's failure of %s", name)
		assert.Equal(t, w.Type, h.Type, name)
		assert.Equal(t, w.File, h.File, name)
		assert.Equal(t, w.Line, h.Line, name)
		assert.Positive(t, h.Column, name)
		assert.Equal(t, [4]any{h.Type, h.File, h.Line, h.Column}, [4]any{a.Type, a.File, a.Line, a.Column},
			"%s: the host's and the agent's Failure (type, file, line, column)", name)
		assert.Equal(t, h.Message, a.Message, name)
	}
}

// hostFailures loads the engine in the embedded interpreter as the host
// does, runs each entry and reads its entry_error from status, and calls
// each module:function entry (the -32000 error's data, as "raised " +
// target).
func hostFailures(t *testing.T, root string, entries []string) map[string]*reload.Failure {
	interp, err := pyhost.Start(pyhost.Options{})
	require.NoError(t, err)
	h := &Server{opts: Options{HostOptions: hostproto.HostOptions{Root: root}, Logf: t.Logf}, interp: interp, exitCode: make(chan int, 1)}
	require.NoError(t, h.loadEngine())
	t.Cleanup(func() { interp.SetDescriber(context.Background(), "") })
	ctx := context.Background()
	out := map[string]*reload.Failure{}
	for _, entry := range entries {
		_, err := h.Handle(ctx, "run", json.RawMessage(`{"entry": "`+entry+`"}`))
		require.NoError(t, err)
		var end struct {
			State string          `json:"state"`
			Error *reload.Failure `json:"error"`
		}
		require.NoError(t, h.callJSON(ctx, &end, "host_wait_entry", "30"))
		require.Equal(t, "failed", end.State, entry)
		st, err := h.Handle(ctx, "status", nil)
		require.NoError(t, err)
		raw, _ := json.Marshal(st.(map[string]any)["entry_error"])
		var f reload.Failure
		require.NoError(t, json.Unmarshal(raw, &f))
		assert.Equal(t, *end.Error, f, "status holds the entry's failure")
		out[entry] = &f
	}
	for _, target := range entries[:2] {
		_, err = h.Handle(ctx, "call", json.RawMessage(`{"target": "`+target+`"}`))
		var re *hostproto.RemoteError
		require.True(t, errors.As(err, &re), "call %s raises: %v", target, err)
		assert.Equal(t, hostproto.CodePythonRaised, re.Code)
		out["raised "+target] = re.Failure
	}
	return out
}

func runAgentFailures(t *testing.T, root string, entries []string) map[string]*reload.Failure {
	runtime, err := os.MkdirTemp("", "prt")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(runtime) })
	outPath := filepath.Join(t.TempDir(), "failures.json")
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", agentFailures, root, outPath}, entries...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtime,
		"PYTHONPATH="+filepath.Join(testbinary.RepoRoot(), "reload", "agent"))
	text, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", text)
	raw, err := os.ReadFile(outPath)
	require.NoError(t, err, "%s", text)
	out := map[string]*reload.Failure{}
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return out
}
