package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestWatchFollowsTheLayout: the watcher names a changed file's package as
// the engine does: under src/ (src layout) and under a `paths` entry.
func TestWatchFollowsTheLayout(t *testing.T) {
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":           "[tool.pyreload]\npaths = [\"services\"]\n",
		"src/shop/__init__.py":     "",
		"src/shop/core.py":         "",
		"services/api/__init__.py": "",
		"services/api/views.py":    "",
	})
	w, err := newTreeWatcher(root, []string{filepath.Join(root, "src/shop/core.py")})
	require.NoError(t, err)
	defer w.Close()
	assert.Equal(t, []string{"shop"}, w.only, "a file argument names its package")
	pending := map[string]bool{}
	assert.True(t, w.add(filepath.Join(root, "src/shop/core.py"), pending))
	w.only = nil
	assert.True(t, w.add(filepath.Join(root, "services/api/views.py"), pending))
	assert.Equal(t, map[string]bool{"shop": true, "api": true}, pending)
}
