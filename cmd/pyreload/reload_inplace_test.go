package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReloadInPlaceFromTheTerminal: `pyreload reload` updates a running
// app in place (its state kept, exit 0, the summary says so), says when
// nothing changed, takes --mode evict and --all, and with --fix and --json
// prints the reload's own report before the fix's.
func TestReloadInPlaceFromTheTerminal(t *testing.T) {
	root := workspace(t, map[string]string{
		"shop/__init__.py": "",
		"shop/core.py":     "SESSIONS = {}\n\n\ndef hello():\n    return 'v1'\n",
		"app.py":           "import time\nfrom shop.core import hello, SESSIONS\nSESSIONS['a'] = 1\nprint('running', flush=True)\nwhile True:\n    time.sleep(0.05)\n",
	})
	_, out := startRun(t, root, "app.py")
	// The socket answers before the app has imported shop: reload once it has.
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "running") },
		20*time.Second, 10*time.Millisecond, "the app never ran: %s", out)
	edit := func(body string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, "shop", "core.py"),
			[]byte("SESSIONS = {}\n\n\ndef hello():\n    return '"+body+"'\n"), 0o644))
	}

	edit("v2")
	res := pyreload(t, root, "reload", "shop")
	assert.Equal(t, 0, res.Code, res.Stderr)
	assert.Contains(t, res.Stderr, "reloaded shop in place (1 module; kept 1 value)")

	res = pyreload(t, root, "reload", "shop")
	assert.Equal(t, 0, res.Code, res.Stderr)
	assert.Contains(t, res.Stderr, "shop: nothing changed since it was loaded or last reloaded")

	res = pyreload(t, root, "reload", "--all", "--json", "shop")
	require.Equal(t, 0, res.Code, res.Stderr)
	var reps []struct {
		Mode    string   `json:"mode"`
		Modules []string `json:"modules"`
		Reset   []string `json:"reset"`
		Action  string   `json:"action"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &reps))
	require.Len(t, reps, 1)
	assert.Equal(t, "inplace", reps[0].Mode)
	assert.ElementsMatch(t, []string{"shop", "shop.core"}, reps[0].Modules)
	assert.Equal(t, []string{"shop.core.SESSIONS"}, reps[0].Reset, "--all runs every statement")

	edit("v3")
	res = pyreload(t, root, "reload", "--mode", "evict", "--fix", "patch", "--json", "shop")
	require.Equal(t, 0, res.Code, res.Stderr)
	reps = nil
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &reps))
	require.Len(t, reps, 2, "the reload's report, then the fix's")
	assert.Equal(t, "reload", reps[0].Action)
	assert.Equal(t, "evict", reps[0].Mode)
	assert.ElementsMatch(t, []string{"shop", "shop.core"}, reps[0].Modules)
	assert.Equal(t, "fix", reps[1].Action)

	res = pyreload(t, root, "reload", "--mode", "fast", "shop")
	assert.Equal(t, 64, res.Code)
	assert.Contains(t, res.Stderr, "--mode takes inplace or evict")
}
