package hostproto_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
)

// TestPrivateDirRule: a cache directory is used only when no other user can
// change it or swap it: owned by the user (mode made 0700), under
// directories that others cannot write or that are sticky.
func TestPrivateDirRule(t *testing.T) {
	base := t.TempDir()
	mine := filepath.Join(base, "a", "b")
	require.NoError(t, hostproto.PrivateDir(mine))
	st, err := os.Stat(mine)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())

	require.NoError(t, os.Chmod(mine, 0o777))
	require.NoError(t, hostproto.PrivateDir(mine), "the user's own directory is made private again")
	st, _ = os.Stat(mine)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())

	open := filepath.Join(base, "open")
	require.NoError(t, os.Mkdir(open, 0o777))
	require.NoError(t, os.Chmod(open, 0o777))
	assert.ErrorContains(t, hostproto.PrivateDir(filepath.Join(open, "cache")), "may be changed by other users")

	sticky := filepath.Join(base, "sticky")
	require.NoError(t, os.Mkdir(sticky, 0o777))
	require.NoError(t, os.Chmod(sticky, 0o777|os.ModeSticky))
	assert.NoError(t, hostproto.PrivateDir(filepath.Join(sticky, "cache")), "a sticky directory like /tmp")

	file := filepath.Join(mine, "f")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	assert.NoError(t, hostproto.PrivateFile(file))
	require.NoError(t, os.Chmod(file, 0o666))
	assert.Error(t, hostproto.PrivateFile(file), "a file others may write")
	require.NoError(t, os.Symlink(file, file+".link"))
	assert.Error(t, hostproto.PrivateFile(file+".link"), "a link")

	if os.Getuid() != 0 {
		t.Skip("needs root to give files to another user")
	}
	theirs := filepath.Join(base, "theirs")
	require.NoError(t, os.Mkdir(theirs, 0o755))
	require.NoError(t, os.Chown(theirs, 65534, 65534))
	assert.ErrorContains(t, hostproto.PrivateDir(theirs), "not a directory owned by uid")
	assert.ErrorContains(t, hostproto.PrivateDir(filepath.Join(theirs, "cache")), "owned by uid 65534")
	require.NoError(t, os.Chmod(file, 0o600))
	require.NoError(t, os.Chown(file, 65534, 65534))
	assert.Error(t, hostproto.PrivateFile(file), "another user's file")

	// PrivateCache falls back to the socket directory.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dir, err := hostproto.PrivateCache(theirs, "engine-code")
	require.NoError(t, err)
	sock, _ := hostproto.SocketDir()
	assert.Equal(t, filepath.Join(sock, "engine-code"), dir)
}
