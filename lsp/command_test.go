package lsp

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
)

// argsAsSent is a command's arguments as the client sends them back: the
// server's arguments through JSON, as any values.
func argsAsSent(t *testing.T, v any) []any {
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out []any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func TestQuickFixTargetsComeBackAsTheRecord(t *testing.T) {
	// A finding whose target the engine left null (Go's ""): it goes back
	// without "target", which the engine would otherwise match on.
	data := reload.FindingData{Code: reload.CodeStaleCallback, Package: "shop", Holder: "app.views",
		Name: "on_save", Fixes: []string{reload.FixRebind, reload.FixPatch}}
	fixes := quickFixes("file:///w/app/views.py", json.RawMessage(`{}`), data)
	require.Len(t, fixes, 2)
	assert.True(t, fixes[0].IsPreferred)
	assert.Equal(t, CmdRebind, fixes[0].Command.Command)
	sent := argsAsSent(t, fixes[0].Command.Arguments)
	raw, err := json.Marshal(sent[0].(map[string]any)["targets"])
	require.NoError(t, err)
	assert.JSONEq(t, `[{"code":"stale-callback","package":"shop","holder":"app.views","name":"on_save","fixes":["rebind","patch"]}]`, string(raw))

	args, err := parseArgs(CmdRebind, sent)
	require.NoError(t, err)
	assert.Equal(t, "shop", args.Package)
	assert.Equal(t, []reload.FindingData{data}, args.Targets)
}

func TestParseArgsTargets(t *testing.T) {
	args, err := parseArgs(CmdRebind, []any{map[string]any{"package": "shop", "targets": []any{
		map[string]any{"code": "stale-import", "holder": nil, "name": "hello", "extra": 1},
	}}})
	require.NoError(t, err)
	assert.Equal(t, []reload.FindingData{{Code: "stale-import", Name: "hello"}}, args.Targets,
		"null is absent, unknown keys are dropped")

	args, err = parseArgs(CmdFixAll, []any{map[string]any{"package": "shop"}})
	require.NoError(t, err)
	assert.Nil(t, args.Targets, "no targets: every finding")

	for _, bad := range []any{
		"stale-import",
		[]any{"stale-import"},
		[]any{map[string]any{"holder": 3}},
		[]any{map[string]any{"fixes": "rebind"}},
	} {
		_, err := parseArgs(CmdRebind, []any{map[string]any{"package": "shop", "targets": bad}})
		assert.Error(t, err, "targets %v: a target dropped could leave none, which fixes everything", bad)
	}
}
