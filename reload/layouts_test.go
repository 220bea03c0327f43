package reload_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// TestPackageOfSharedTable runs the table the engine's own rule is tested
// against (reload/engine/tests/test_layouts.py): the two sides agree on
// flat, src, namespace and nested layouts.
func TestPackageOfSharedTable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testbinary.RepoRoot(), "testdata", "layouts", "layouts.json"))
	require.NoError(t, err)
	var table struct {
		Cases []struct {
			Name    string   `json:"name"`
			Files   []string `json:"files"`
			SysPath []string `json:"sys_path"`
			File    string   `json:"file"`
			Package *string  `json:"package"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &table))
	require.Greater(t, len(table.Cases), 10)
	for _, c := range table.Cases {
		t.Run(c.Name, func(t *testing.T) {
			root := reload.Canonical(t.TempDir())
			for _, f := range c.Files {
				p := filepath.Join(root, f)
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, nil, 0o644))
			}
			var entries []string
			for _, e := range c.SysPath {
				entries = append(entries, filepath.Join(root, e))
			}
			got, ok := reload.PackageOf(filepath.Join(root, c.File), entries)
			if c.Package == nil {
				assert.False(t, ok, "got %q", got)
				return
			}
			assert.True(t, ok)
			assert.Equal(t, *c.Package, got)
		})
	}
}

// TestResolvePackageSeesTheSrcLayout: with no interpreter to ask, the
// project's declared sys.path (the root, src) decides.
func TestResolvePackageSeesTheSrcLayout(t *testing.T) {
	root := reload.Canonical(t.TempDir())
	for _, f := range []string{"src/shop/__init__.py", "src/shop/core.py", "pyproject.toml", "tools/x.py"} {
		p := filepath.Join(root, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, nil, 0o644))
	}
	pkg, ok := reload.ResolvePackage(root, filepath.Join(root, "src/shop/core.py"))
	assert.True(t, ok)
	assert.Equal(t, "shop", pkg)
	pkg, ok = reload.ResolvePackage(root, filepath.Join(root, "tools/x.py"))
	assert.Equal(t, "tools", pkg, "a namespace directory of the root")
	assert.True(t, ok)
	_, ok = reload.ResolvePackage(root, "/etc/x.py")
	assert.False(t, ok, "outside the root")
}
