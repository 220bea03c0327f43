package reload_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// findingScript runs the engine's own functions (loaded from its .py files
// by its own loader): "report" prints a report whose findings cover every
// code, located or not, and what the engine leaves null or empty; "select"
// reads {"stale": [...], "targets": [...]} and prints, per target, the
// indexes of the findings fixes.select picks for it.
const findingScript = enginePrelude + `
import time
entries, fixes = package.entries, package.fixes
if sys.argv[2] == "report":
    where = ("/w/app/views.py", (3, 1, 3, 6))
    found = [entries.stale(code, "m", where if n % 2 else None, "app.views", "name%d" % n,
                           "shop.core.f%d" % n)
             for n, code in enumerate(sorted(entries.FIXES))]
    found.append(entries.stale("stale-thread", "t", None, "worker", None, None))
    found.append(entries.stale("stale-module", "n", None, "app.views", None, "shop.core"))
    found.append(entries.stale("restart-needed", "r", None, "", "", ""))
    st = types.SimpleNamespace(kind="test", socket=None)
    json.dump(entries.report(st, "reload", "shop", time.perf_counter(), stale_list=found),
              sys.stdout)
else:
    given = json.load(sys.stdin)
    stale = given["stale"]
    picked = [[n for n, e in enumerate(stale) if any(e is s for s in fixes.select(stale, [t]))]
              for t in given["targets"]]
    json.dump(picked, sys.stdout)
`

func runFindingScript(t *testing.T, mode string, stdin []byte) []byte {
	t.Helper()
	return runEngine(t, findingScript, stdin, mode)
}

// enginePrelude loads the engine from its .py files (sys.argv[1]) by its own
// loader, as `package`; a script's own arguments follow from sys.argv[2].
const enginePrelude = `
import json, os, sys, types
engine_dir = sys.argv[1]
sys.dont_write_bytecode = True
package = types.ModuleType("_pyreload_engine")
init = os.path.join(engine_dir, "__init__.py")
with open(init) as handle:
    exec(compile(handle.read(), init, "exec"), vars(package))
package.load_files(package, engine_dir)
`

// runEngine runs a script that starts with enginePrelude in python3 and
// returns its stdout.
func runEngine(t *testing.T, script string, stdin []byte, args ...string) []byte {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the engine cannot run here")
	}
	cmd := exec.Command(python, append([]string{"-c", script, filepath.Join(testbinary.RepoRoot(), "reload", "engine")}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "engine script %v: %s", args, stderr.String())
	return out
}

// jsonNames are the JSON field names of a struct type.
func jsonNames(typ reflect.Type) []string {
	var out []string
	for n := 0; n < typ.NumField(); n++ {
		name, _, _ := strings.Cut(typ.Field(n).Tag.Get("json"), ",")
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestFindingDataAgreesWithTheEngine holds reload.FindingData to the
// engine's record of a finding (entries.stale and report): the same keys,
// the same values, and every finding's data, sent back by Go as a fix
// target, selects that finding in the engine (fixes.select), also where the
// engine left holder, name or target null or empty.
func TestFindingDataAgreesWithTheEngine(t *testing.T) {
	raw := runFindingScript(t, "report", nil)
	var engine struct {
		Stale []struct {
			Data map[string]any `json:"data"`
		} `json:"stale"`
	}
	require.NoError(t, json.Unmarshal(raw, &engine))
	var rep reload.Report
	require.NoError(t, json.Unmarshal(raw, &rep))
	require.Len(t, rep.Stale, len(engine.Stale))
	require.Greater(t, len(rep.Stale), 9, "a finding of every code")

	goNames := jsonNames(reflect.TypeOf(reload.FindingData{}))
	for n, s := range rep.Stale {
		data := engine.Stale[n].Data
		var keys []string
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, goNames, keys, "%s: the engine's data keys are reload.FindingData's JSON names", s.Code)

		assert.Equal(t, s.Code, s.Data.Code)
		assert.Equal(t, "shop", s.Data.Package)
		assert.Equal(t, []any{s.Data.Holder, s.Data.Name, s.Data.Target}, []any{s.Holder, s.Name, s.Target})
		assert.Equal(t, s.Fixes, s.Data.Fixes)
		// Go writes what the engine wrote, with null and "" left out.
		want := map[string]any{}
		for k, v := range data {
			if v != nil && v != "" {
				want[k] = v
			}
		}
		got, err := json.Marshal(s.Data)
		require.NoError(t, err)
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		assert.JSONEq(t, string(wantJSON), string(got), s.Code)
	}

	var fix reload.FixParams
	for _, s := range rep.Stale {
		fix.Targets = append(fix.Targets, s.Data)
	}
	targets, err := json.Marshal(fix)
	require.NoError(t, err)
	var stale struct {
		Stale json.RawMessage `json:"stale"`
	}
	require.NoError(t, json.Unmarshal(raw, &stale))
	in, err := json.Marshal(map[string]json.RawMessage{"stale": stale.Stale,
		"targets": json.RawMessage(mustField(t, targets, "targets"))})
	require.NoError(t, err)
	var picked [][]int
	require.NoError(t, json.Unmarshal(runFindingScript(t, "select", in), &picked))
	require.Len(t, picked, len(rep.Stale))
	for n, s := range rep.Stale {
		what := fmt.Sprintf("%s %q %q %q", s.Code, s.Holder, s.Name, s.Target)
		if emptyString(engine.Stale[n].Data) {
			// "" in the engine (an adapter's default) is left out as null
			// is: it matches any value; only findings without fixes, which
			// no quick fix sends back, have one.
			assert.Contains(t, picked[n], n, "%s: its data as a fix target selects it", what)
			assert.Empty(t, s.Data.Fixes, "%s: a finding with fixes names its holder, name and target", what)
			continue
		}
		assert.Equal(t, []int{n}, picked[n], "%s: its data as a fix target selects it alone", what)
	}
}

// emptyString tells whether the engine's data has a key matched on that is "".
func emptyString(data map[string]any) bool {
	for _, k := range []string{"code", "holder", "name", "target"} {
		if data[k] == "" {
			return true
		}
	}
	return false
}

// mustField is one field of a JSON object.
func mustField(t *testing.T, raw []byte, name string) []byte {
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	require.Contains(t, m, name)
	return m[name]
}
