package hostproto_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/hostproto"
)

func TestRunLockIsExclusiveAndLeavesNothing(t *testing.T) {
	root := isolate(t)
	first, err := hostproto.LockRun(root)
	require.NoError(t, err)
	_, err = hostproto.LockRun(root)
	var locked *hostproto.LockedError
	require.True(t, errors.As(err, &locked), "second lock: %v", err)
	assert.Equal(t, os.Getpid(), locked.PID)

	other, err := hostproto.LockRun(filepath.Join(root, "sub"))
	require.NoError(t, err, "another root has its own lock")
	other.Release()

	first.Release()
	again, err := hostproto.LockRun(root)
	require.NoError(t, err, "free once released")
	again.Release()
	dir, _ := hostproto.SocketDir()
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries, "the lock file goes with the lock")
}
