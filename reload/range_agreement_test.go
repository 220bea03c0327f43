package reload_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
)

// TestEngineAndGoNormaliseRangesAlike: the engine finishes a finding's range
// (entries.normal_span) and Go clamps what reaches it unfinished
// (reload.NormalRange); one table of ranges, both answers.
func TestEngineAndGoNormaliseRangesAlike(t *testing.T) {
	ranges := [][4]int{
		{3, 1, 3, 6}, {3, 5, 3, 5}, {3, 5, 3, 2}, {3, 0, 0, 0}, {3, -2, 3, 4}, {7, 4, 6, 9},
		{7, 4, 8, 1}, {1, 1, 0, 0}, {2, 9, 2, 10}, {5, 0, 5, 1},
	}
	raw, err := json.Marshal(ranges)
	require.NoError(t, err)
	out := runEngine(t, enginePrelude+`
ranges = json.loads(sys.argv[2])
spans = [list(package.entries.normal_span(*r)) for r in ranges]
found = package.entries.stale("stale-import", "m", ("/w/a.py", tuple(ranges[1])), "a", "n", "t")
print(json.dumps({"spans": spans, "finding": [found["line"], found["column"], found["end_line"], found["end_column"]]}))
`, nil, string(raw))
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
