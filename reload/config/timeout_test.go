package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/config"
)

func TestReloadTimeoutSetting(t *testing.T) {
	assert.Equal(t, 0, config.Default().ReloadTimeoutMS, "0: the engine's default")
	s, err := config.Default().Merge(map[string]any{"reloadTimeoutMs": float64(5000)})
	require.NoError(t, err)
	assert.Equal(t, 5000, s.ReloadTimeoutMS)
	s, err = config.Load(write(t, "[tool.pyreload]\nreload_timeout_ms = 120000\n"))
	require.NoError(t, err)
	assert.Equal(t, 120000, s.ReloadTimeoutMS)
	for _, bad := range []any{float64(-1), float64(1e13), "soon", 1.5} {
		s, err := config.Default().Merge(map[string]any{"reloadTimeoutMs": bad})
		assert.ErrorContains(t, err, "reloadTimeoutMs", "%v", bad)
		assert.Equal(t, 0, s.ReloadTimeoutMS, "a bad value leaves the setting as it was")
	}
}
