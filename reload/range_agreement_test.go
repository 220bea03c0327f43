package reload_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestEngineAndGoNormaliseRangesAlike: the engine finishes a finding's range
// (entries.normal_span) and Go clamps what reaches it unfinished
// (reload.NormalRange); one table of ranges, both answers.
func TestEngineAndGoNormaliseRangesAlike(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the engine cannot run here")
	}
	ranges := [][4]int{
		{3, 1, 3, 6}, {3, 5, 3, 5}, {3, 5, 3, 2}, {3, 0, 0, 0}, {3, -2, 3, 4}, {7, 4, 6, 9},
		{7, 4, 8, 1}, {1, 1, 0, 0}, {2, 9, 2, 10}, {5, 0, 5, 1},
	}
	raw, err := json.Marshal(ranges)
	require.NoError(t, err)
	out, err := exec.Command(python, "-c", `
import json, os, sys, types
engine_dir = sys.argv[1]
sys.dont_write_bytecode = True
package = types.ModuleType("_pyreload_engine")
init = os.path.join(engine_dir, "__init__.py")
with open(init) as handle:
    exec(compile(handle.read(), init, "exec"), vars(package))
package.load_files(package, engine_dir)
spans = [list(package.entries.normal_span(*r)) for r in json.loads(sys.argv[2])]
found = package.entries.stale("stale-import", "m", ("/w/a.py", tuple(json.loads(sys.argv[2])[1])), "a", "n", "t")
print(json.dumps({"spans": spans, "finding": [found["line"], found["column"], found["end_line"], found["end_column"]]}))
`, filepath.Join(testbinary.RepoRoot(), "reload", "engine"), string(raw)).Output()
	require.NoError(t, err, "%s", out)
	var engine struct {
		Spans   [][4]int
		Finding [4]int
	}
	require.NoError(t, json.Unmarshal(out, &engine))
	require.Len(t, engine.Spans, len(ranges))
	for n, r := range ranges {
		l, c, el, ec := reload.NormalRange(r[0], r[1], r[2], r[3])
		assert.Equal(t, [4]int{l, c, el, ec}, engine.Spans[n], "range %v", r)
	}
	assert.Equal(t, [4]int{3, 5, 3, 6}, engine.Finding, "a finding leaves the engine finished")
}
