package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/testbinary"
)

// plantedCode is marshalled code that says it ran.
func plantedCode(t *testing.T) []byte {
	out, err := exec.Command("/usr/bin/python3", "-c",
		`import marshal, sys; sys.stdout.buffer.write(marshal.dumps(compile("import os; os.write(2, b'PLANTED\\n')", "x", "exec")))`).Output()
	require.NoError(t, err)
	return out
}

// TestRunNeverExecutesPlantedEngineCode: with XDG_CACHE_HOME on a directory
// another user could write, `pyreload run` executed marshalled code that
// user put in the engine's code cache. Neither a cache directory of another
// user nor a cached file of another user is used.
func TestRunNeverExecutesPlantedEngineCode(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to plant files as another user")
	}
	root := workspace(t, map[string]string{"app.py": "print('app ran')\n"})
	cache := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + cache}
	r := testbinary.Run(t, root, env, "run", "app.py")
	require.Equal(t, 0, r.Code, r.Stderr)
	codeDir := filepath.Join(cache, "pyreload", "engine-code")
	files, _ := filepath.Glob(filepath.Join(codeDir, "*.code"))
	require.NotEmpty(t, files, "the first run fills the cache")
	planted := plantedCode(t)

	// Files of another user in the user's own cache directory.
	for _, f := range files {
		require.NoError(t, os.WriteFile(f, planted, 0o644))
		require.NoError(t, os.Chown(f, 65534, 65534))
	}
	r = testbinary.Run(t, root, env, "run", "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "app ran")
	assert.NotContains(t, r.Stderr, "PLANTED", "another user's cached code ran")

	// A cache directory that another user owns and anyone may write: even
	// files that look like the user's are not trusted.
	for _, f := range files {
		require.NoError(t, os.WriteFile(f, planted, 0o644))
		require.NoError(t, os.Chown(f, 0, 0))
	}
	require.NoError(t, os.Chmod(codeDir, 0o777))
	require.NoError(t, os.Chown(codeDir, 65534, 65534))
	r = testbinary.Run(t, root, env, "run", "app.py")
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "app ran")
	assert.NotContains(t, r.Stderr, "PLANTED", "code from another user's cache directory ran")
}
