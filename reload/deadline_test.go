package reload_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestEngineDefaultTimeoutAgrees: the engine's default reload deadline is
// written once in Python (engine/watchdog.py) and once in Go; they must say
// the same.
func TestEngineDefaultTimeoutAgrees(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(testbinary.RepoRoot(), "reload", "engine", "watchdog.py"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^DEFAULT_SECONDS = ([0-9.]+)$`).FindSubmatch(src)
	require.NotNil(t, m, "watchdog.py defines DEFAULT_SECONDS")
	seconds, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	require.Equal(t, time.Duration(seconds*float64(time.Second)), reload.EngineDefaultTimeout)
}
