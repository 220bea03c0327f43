package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReloadSaysHowTheInterpreterDied: when the interpreter dies during
// `pyreload reload`, the CLI said only "connection to interpreter closed:
// EOF"; it now says that the process died and how.
func TestReloadSaysHowTheInterpreterDied(t *testing.T) {
	root := workspace(t, map[string]string{
		"shop/__init__.py": "from . import core\n",
		"shop/core.py":     "X = 1\n",
		"app.py":           "import time, shop\nprint('up', flush=True)\nwhile True:\n    time.sleep(0.1)\n",
	})
	_, out := startRun(t, root, "app.py")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "up") },
		20*time.Second, 10*time.Millisecond, "the app never imported shop")
	require.NoError(t, os.WriteFile(filepath.Join(root, "shop", "core.py"), []byte("import ctypes\nctypes.string_at(0)\n"), 0o644))
	r := pyreload(t, root, "reload", "--root", root, "shop")
	assert.NotEqual(t, 0, r.Code)
	assert.Contains(t, r.Stderr, "died during reload")
	assert.Contains(t, r.Stderr, "SIGSEGV")
	assert.NotContains(t, r.Stderr, "EOF")
}
