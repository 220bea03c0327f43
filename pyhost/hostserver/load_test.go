package hostserver

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/pyhost"
	"github.com/pyreload/pyreload/reload/engine"
)

// execOrder records, in the embedded interpreter, which engine modules run
// (an audit hook on exec) and reports them with what the engine's own
// LOAD_ORDER says, and which engine modules are left in sys.modules.
const execOrder = `
import json as _json
import sys as _sys

_EXECUTED = []

def _record_exec(event, args):
    name = getattr(args[0], "co_filename", "") if event == "exec" else ""
    if name.startswith("<pyreload engine>/"):
        _EXECUTED.append(name[len("<pyreload engine>/"):-len(".py")])

_sys.addaudithook(_record_exec)

def executed(init_source, package):
    want = {}
    exec(init_source, want)
    left = sorted(k for k in _sys.modules if k == package or k.startswith(package + "."))
    return _json.dumps({"executed": _EXECUTED, "want": ["__init__"] + list(want["LOAD_ORDER"]),
                       "left": left, "api": _HOST["engine"]["api"].__name__,
                       "watchdog": _HOST["engine"]["state"].watchdog})
`

// TestHostLoadsTheEngineThroughItsLoader checks that the embedded host runs
// the engine's modules through the engine's own loader: each once, in
// LOAD_ORDER, none left in sys.modules (the agent and the engine tests'
// driver are held to the same in reload/engine/tests/test_load.py), and that
// an engine file missing from LOAD_ORDER is refused.
func TestHostLoadsTheEngineThroughItsLoader(t *testing.T) {
	interp, err := pyhost.Start(pyhost.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, interp.Exec(ctx, execOrder, "<test>"))
	// As the host's loadEngine does: the bootstrap, then host_load with the
	// embedded sources.
	require.NoError(t, interp.Exec(ctx, bootstrap, "<pyreload bootstrap>"))
	init := ""
	sources := map[string]string{}
	for _, m := range engine.Modules() {
		sources[m.Name] = m.Source
		if m.Name == "__init__" {
			init = m.Source
		}
	}
	raw, _ := json.Marshal(sources)
	_, err = interp.Call(ctx, "host_load", engine.Package, string(raw), t.TempDir(), "host", "", "[]")
	require.NoError(t, err)

	out, err := interp.Call(ctx, "executed", init, engine.Package)
	require.NoError(t, err)
	var got struct {
		Executed, Want, Left []string
		API                  string
		Watchdog             bool
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, got.Want, got.Executed, "the engine's modules ran once each, in LOAD_ORDER")
	assert.Len(t, got.Want, len(engine.Modules()), "every embedded module is loaded")
	assert.Empty(t, got.Left, "no engine module is left in sys.modules")
	assert.Equal(t, engine.Package+".api", got.API)
	assert.True(t, got.Watchdog, "the engine interrupts a re-import past its deadline itself")

	sources["zz_extra"] = "X = 1\n"
	raw, _ = json.Marshal(sources)
	_, err = interp.Call(ctx, "load_engine", "_pyreload_engine_extra", string(raw), t.TempDir(), "host", "", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "zz_extra.py not in LOAD_ORDER")
}
