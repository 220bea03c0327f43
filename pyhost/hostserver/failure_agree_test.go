package hostserver

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// entryApp is the missing-entry test's own package: the embedded
// interpreter, shared by this package's tests, keeps agreeapp imported
// from the other test's root.
var entryApp = map[string]string{
	"entryapp/__init__.py": "",
	"entryapp/main.py":     "def main():\n    return 0\n",
	"entryapp/broken.py":   "import json\nimport no_such_dependency\n\n\ndef main():\n    return 0\n",
}

// agentFailures runs the entries in /usr/bin/python3 with the agent
// attached, as `python3 -m pyreload_agent` does, and returns each entry's
// status entry_error, and, as "raised " + target, the -32000 data of a
// request whose work calls that module:function target.
const agentFailures = `
import importlib, json, os, sys
root, out_path, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
calls = json.loads(os.environ["AGREE_CALLS"])
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
for name in calls:
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

	host := hostFailures(t, root, entries, entries[:2])
	agent := runAgentFailures(t, root, entries, entries[:2])

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

// TestHostAndAgentReportAMissingEntryAlike: an entry that cannot be run
// (a missing module or package of it, a package without __main__, a
// module whose import raises, module:function naming a missing function,
// a missing script) fails with the same Failure in the embedded host and
// in the agent, by the engine's entrypoint rule: the exception raised
// there is located nowhere (pyreload's own frames are never chosen), the
// one raised by the user's code at its line. json:loads fails in a call
// no user frame made: no file either, never the agent's or the host's.
// The host's call request finds its module:function by the same rule:
// its -32000 data is the run's Failure of that target (a module below a
// module that is no package included, which import_module words
// differently).
func TestHostAndAgentReportAMissingEntryAlike(t *testing.T) {
	root, err := hostproto.CanonicalRoot(t.TempDir())
	require.NoError(t, err)
	testbinary.WriteTree(t, root, entryApp)
	broken := reload.Failure{Type: "ModuleNotFoundError", Message: "No module named 'no_such_dependency'",
		File: filepath.Join(root, "entryapp", "broken.py"), Line: 2, Column: 1}
	want := map[string]reload.Failure{
		"nosuchmod":              {Type: "ModuleNotFoundError", Message: "No module named 'nosuchmod'"},
		"nope.sub":               {Type: "ModuleNotFoundError", Message: "No module named 'nope'"},
		"entryapp":               {Type: "ModuleNotFoundError", Message: "No module named 'entryapp.__main__' ('entryapp' is a package and cannot be directly executed)"},
		"entryapp.broken":        broken,
		"entryapp.broken:main":   broken,
		"entryapp.main:nosuch":   {Type: "AttributeError", Message: "module 'entryapp.main' has no attribute 'nosuch'"},
		"missing_script.py":      {Type: "FileNotFoundError", Message: "entry script " + filepath.Join(root, "missing_script.py") + " does not exist"},
		"json:loads":             {Type: "TypeError", Message: "loads() missing 1 required positional argument: 's'"},
		"entryapp.main.sub:main": {Type: "ModuleNotFoundError", Message: "No module named 'entryapp.main.sub'"},
	}
	var entries, calls []string
	for entry := range want {
		entries = append(entries, entry)
		if strings.Contains(entry, ":") {
			calls = append(calls, entry)
		}
	}
	host := hostFailures(t, root, entries, calls)
	agent := runAgentFailures(t, root, entries, []string{})
	for name, w := range want {
		h, a := host[name], agent[name]
		require.NotNil(t, h, "the host's failure of %s", name)
		require.NotNil(t, a, "the agent's failure of %s", name)
		got := func(f *reload.Failure) [5]any { return [5]any{f.Type, f.Message, f.File, f.Line, f.Column} }
		assert.Equal(t, got(&w), got(h), "the host's failure of %s", name)
		assert.Equal(t, got(&w), got(a), "the agent's failure of %s", name)
	}
	for _, target := range calls {
		w, h := want[target], host["raised "+target]
		require.NotNil(t, h, "the host's call of %s", target)
		got := func(f *reload.Failure) [5]any { return [5]any{f.Type, f.Message, f.File, f.Line, f.Column} }
		assert.Equal(t, got(&w), got(h), "the host's call of %s: the entry's rule", target)
	}
}

// hostFailures loads the engine in the embedded interpreter as the host
// does, runs each entry and reads its entry_error from status, and calls
// each module:function entry (the -32000 error's data, as "raised " +
// target).
func hostFailures(t *testing.T, root string, entries, calls []string) map[string]*reload.Failure {
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
	for _, target := range calls {
		_, err = h.Handle(ctx, "call", json.RawMessage(`{"target": "`+target+`"}`))
		var re *hostproto.RemoteError
		require.True(t, errors.As(err, &re), "call %s raises: %v", target, err)
		assert.Equal(t, hostproto.CodePythonRaised, re.Code)
		out["raised "+target] = re.Failure
	}
	return out
}

func runAgentFailures(t *testing.T, root string, entries, calls []string) map[string]*reload.Failure {
	runtime, err := os.MkdirTemp("", "prt")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(runtime) })
	outPath := filepath.Join(t.TempDir(), "failures.json")
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", agentFailures, root, outPath}, entries...)...)
	cmd.Dir = root
	callsJSON, err := json.Marshal(calls)
	require.NoError(t, err)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtime, "AGREE_CALLS="+string(callsJSON),
		"PYTHONPATH="+filepath.Join(testbinary.RepoRoot(), "reload", "agent"))
	text, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", text)
	raw, err := os.ReadFile(outPath)
	require.NoError(t, err, "%s", text)
	out := map[string]*reload.Failure{}
	require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	return out
}
