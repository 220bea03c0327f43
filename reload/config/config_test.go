package config_test

import (
	"encoding/json"
	"errors"
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
		Mode: "inplace", DebounceMS: 50}, s, `mode "patch" is read as "inplace"`)
	assert.True(t, s.Excluded("shop.vendor.x"))
	assert.False(t, s.Excluded("shop"))
}

func TestLoadMalformed(t *testing.T) {
	s, err := config.Load(write(t, "[tool.pyreload\nx="))
	assert.ErrorContains(t, err, "pyproject.toml")
	assert.Equal(t, config.Default(), s)

	s, err = config.Load(write(t, "[tool.pyreload]\nmode = \"fast\"\ndebounceMs = 10\n"))
	assert.ErrorContains(t, err, "mode")
	assert.Equal(t, "inplace", s.Mode, "the default")
	assert.Equal(t, 10, s.DebounceMS, "valid keys still apply")
}

func TestMergeEditorSettings(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"pyreload": {"onSave": false, "debounceMs": 75, "packages": ["a"], "path": "/opt/pyreload", "trace": {"server": "off"}}}`), &m))
	s, err := config.Default().Merge(m)
	require.NoError(t, err, "the clients' own keys (path, trace) are not the server's business")
	assert.False(t, s.OnSave)
	assert.Equal(t, 75, s.DebounceMS)
	assert.Equal(t, []string{"a"}, s.Packages)

	_, err = config.Default().Merge(map[string]any{"onSave": "yes", "debounceMs": 1.5})
	assert.ErrorContains(t, err, "onSave")
	assert.ErrorContains(t, err, "debounceMs")
}

func TestAttachEntries(t *testing.T) {
	dir := write(t, `
[tool.pyreload]
attach = [
  { address = "127.0.0.1:7777", token-file = ".pyreload/token", remoteRoot = "/app" },
  "10.0.0.2:7000",
]
`)
	s, err := config.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, []config.Attach{
		{Address: "127.0.0.1:7777", TokenFile: ".pyreload/token", RemoteRoot: "/app"},
		{Address: "10.0.0.2:7000"},
	}, s.Attach)

	// Array-of-tables form and editor JSON give the same.
	dir = write(t, "[[tool.pyreload.attach]]\naddress = \"h:1\"\ntokenFile = \"t\"\n")
	s, err = config.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, []config.Attach{{Address: "h:1", TokenFile: "t"}}, s.Attach)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"attach": [{"address": "h:1", "tokenFile": "t"}]}`), &m))
	s, err = config.Default().Merge(m)
	require.NoError(t, err)
	assert.Equal(t, []config.Attach{{Address: "h:1", TokenFile: "t"}}, s.Attach)

	for text, want := range map[string]string{
		`attach = "h:1"`:                 "want a list",
		`attach = [{ tokenFile = "t" }]`: "no address",
		`attach = [{ address = 7 }]`:     "want a string",
		`attach = [3]`:                   "found int64",
	} {
		s, err := config.Load(write(t, "[tool.pyreload]\nmode = \"patch\"\n"+text+"\n"))
		require.Error(t, err, text)
		assert.Contains(t, err.Error(), want, text)
		assert.Empty(t, s.Attach, text)
		assert.Equal(t, "inplace", s.Mode, "the other keys still apply")
	}
}

func TestUnknownKeysNameTheNearestKnownOne(t *testing.T) {
	s, err := config.Load(write(t, "[tool.pyreload]\nentyr = \"app:main\"\npython_pth = \"/x/python\"\nonsave = false\nwhatever = 1\n"))
	require.Error(t, err)
	var unknown []*config.UnknownKey
	for _, e := range errors.Unwrap(err).(interface{ Unwrap() []error }).Unwrap() {
		var u *config.UnknownKey
		require.ErrorAs(t, e, &u)
		unknown = append(unknown, u)
	}
	assert.Equal(t, []*config.UnknownKey{
		{Key: "entyr", Nearest: "entry"}, {Key: "python_pth", Nearest: "pythonPath"}, {Key: "whatever"},
	}, unknown)
	assert.ErrorContains(t, err, `unknown key "entyr"; did you mean "entry"?`)
	assert.ErrorContains(t, err, "[tool.pyreload]", "the message names the file and section")
	assert.False(t, s.OnSave, "the known keys still apply")
	assert.Empty(t, s.Entry)

	_, err = config.Default().Merge(map[string]any{"debounce": 10, "path": "/bin/pyreload"})
	assert.EqualError(t, err, `unknown key "debounce"; did you mean "debounceMs"?`)
}

func TestPathsSetting(t *testing.T) {
	s, err := config.Load(write(t, "[tool.pyreload]\npaths = [\"lib\", \"vendor/src\"]\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"lib", "vendor/src"}, s.Paths)
}
