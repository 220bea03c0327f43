package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload/config"
)

func write(t *testing.T, text string) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(text), 0o644))
	return dir
}

func TestLoadDefaultsWithoutFile(t *testing.T) {
	s, err := config.Load(t.TempDir())
	require.NoError(t, err)
	assert.Equal(t, config.Default(), s)
	assert.True(t, s.OnSave)
	assert.Equal(t, 200, s.DebounceMS)
}

func TestLoadToolSection(t *testing.T) {
	dir := write(t, `
[project]
name = "x"
[tool.pyreload]
onSave = false
packages = ["shop", "app"]
exclude = ["shop.vendor"]
entry = "app.main:serve"
python-path = "/usr/bin/python3"
mode = "patch"
debounce_ms = 50
`)
	s, err := config.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, config.Settings{OnSave: false, Packages: []string{"shop", "app"},
		Exclude: []string{"shop.vendor"}, Entry: "app.main:serve", PythonPath: "/usr/bin/python3",
		Mode: "patch", DebounceMS: 50}, s)
	assert.True(t, s.Excluded("shop.vendor.x"))
	assert.False(t, s.Excluded("shop"))
}

func TestLoadMalformed(t *testing.T) {
	s, err := config.Load(write(t, "[tool.pyreload\nx="))
	assert.ErrorContains(t, err, "pyproject.toml")
	assert.Equal(t, config.Default(), s)

	s, err = config.Load(write(t, "[tool.pyreload]\nmode = \"fast\"\ndebounceMs = 10\n"))
	assert.ErrorContains(t, err, "mode")
	assert.Equal(t, "evict", s.Mode)
	assert.Equal(t, 10, s.DebounceMS, "valid keys still apply")
}

func TestMergeEditorSettings(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"pyreload": {"onSave": false, "debounceMs": 75, "packages": ["a"], "unknown": 1}}`), &m))
	s, err := config.Default().Merge(m)
	require.NoError(t, err)
	assert.False(t, s.OnSave)
	assert.Equal(t, 75, s.DebounceMS)
	assert.Equal(t, []string{"a"}, s.Packages)

	_, err = config.Default().Merge(map[string]any{"onSave": "yes", "debounceMs": 1.5})
	assert.ErrorContains(t, err, "onSave")
	assert.ErrorContains(t, err, "debounceMs")
}
