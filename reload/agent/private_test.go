package agent_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/agent"
	"github.com/pyreload/pyreload/reload/hostproto"
)

// plantAgent writes a complete-looking agent copy at dir that belongs to
// another user (nobody) and that anyone may write.
func plantAgent(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "pyreload_agent"), 0o777))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pyreload_agent", "__init__.py"), []byte("print('PLANTED')\n"), 0o666))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".complete"), []byte(agent.Hash()+"\n"), 0o666))
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error {
		os.Chmod(p, 0o777)
		return os.Chown(p, 65534, 65534)
	})
}

func assertOurCopy(t *testing.T, dir string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(dir, "pyreload_agent", "__init__.py"))
	require.NoError(t, err)
	assert.NotContains(t, string(got), "PLANTED")
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), p)
			return nil
		}
		return hostproto.PrivateFile(p)
	}))
}

// TestInstallNeverHandsOutAPlantedCopy: `pyreload agent --path` handed out
// another user's copy of the agent found in the cache directory.
func TestInstallNeverHandsOutAPlantedCopy(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to plant files as another user")
	}
	runtimeDir(t)

	// A copy planted in the user's own cache directory is written again.
	base := filepath.Join(t.TempDir(), "pyreload")
	require.NoError(t, os.Mkdir(base, 0o700))
	planted := filepath.Join(base, "agent-"+agent.Hash())
	plantAgent(t, planted)
	dir, err := agent.Install(base)
	require.NoError(t, err)
	assert.Equal(t, planted, dir)
	assertOurCopy(t, dir)

	// A cache directory of another user's (XDG_CACHE_HOME on a shared
	// directory) is not used at all: the copy goes to a private place.
	shared := t.TempDir()
	require.NoError(t, os.Chmod(shared, 0o777))
	theirs := filepath.Join(shared, "pyreload")
	plantAgent(t, filepath.Join(theirs, "agent-"+agent.Hash()))
	dir, err = agent.Install(theirs)
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(dir, shared), "installed under the other user's directory: %s", dir)
	assertOurCopy(t, dir)
}
