package session

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/testbinary"
)

// watchedSession is a session without its own host, attached to one fake
// agent, with a tree watcher for only (nil: every package) running.
func watchedSession(t *testing.T, root string, only []string) (*Session, *TreeWatcher, *fakeInterp) {
	t.Helper()
	in := newFakeInterp(7, root)
	st, err := config.Load(root)
	require.NoError(t, err)
	st.DebounceMS = 100
	o := &owner{settings: st, unsaved: map[string]bool{}}
	s := New(context.Background(), Config{Root: root, Events: o, Workspace: o,
		Interpreters: &fakeInterps{root: root, live: []reload.Interpreter{in}}})
	t.Cleanup(s.Stop)
	s.Start()
	w, err := WatchTree(s, only)
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.Run(ctx)
	return s, w, in
}

// TestWatcherDebouncesAndFilters: a burst of writes is one reload per
// package, ignored directories give none, a new package directory is
// picked up, and the package filter holds.
func TestWatcherDebouncesAndFilters(t *testing.T) {
	root := workspace(t)
	for _, d := range []string{".git", "shop/__pycache__", "node_modules/x", "env"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "env", "pyvenv.cfg"), nil, 0o644))
	_, _, in := watchedSession(t, root, nil)
	n := 0
	write := func(rel string) {
		n++
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), []byte("x = "+string(rune('0'+n%10))+"\n"), 0o644))
	}
	next := func(count int) []string {
		require.Eventually(t, func() bool { return len(reloads(in)) >= count }, 3*time.Second, tick)
		settle()
		got := reloads(in)
		sort.Strings(got)
		return got
	}

	for i := 0; i < 5; i++ {
		write("shop/core.py")
		time.Sleep(10 * time.Millisecond)
	}
	write("other/a.py")
	assert.Equal(t, []string{"reload other", "reload shop"}, next(2), "one reload per package for the burst")
	write(".git/hook.py")
	write("shop/__pycache__/core.py")
	write("node_modules/x/y.py")
	write("env/site.py")
	write("shop/notes.txt")
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, reloads(in), 2, "ignored places and non-Python files")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "fresh", "sub"), 0o755))
	time.Sleep(50 * time.Millisecond)
	write("fresh/sub/m.py")
	assert.Equal(t, []string{"reload fresh", "reload other", "reload shop"}, next(3), "new directories are watched")
}

func TestWatcherOnlyReloadsTheNamedPackages(t *testing.T) {
	root := workspace(t)
	_, w, in := watchedSession(t, root, []string{"shop"})
	assert.Equal(t, []string{"shop"}, w.Only())
	edit(t, root, "other/a.py", "y = 5\n")
	edit(t, root, "shop/core.py", "x = 5\n")
	require.Eventually(t, func() bool { return len(reloads(in)) == 1 }, 3*time.Second, tick)
	settle()
	assert.Equal(t, []string{"reload shop"}, reloads(in))
}

// TestWatchFollowsTheLayout: the watcher names a changed file's package as
// the engine does: under src/ (src layout) and under a `paths` entry.
func TestWatchFollowsTheLayout(t *testing.T) {
	root := testbinary.Workspace(t, map[string]string{
		"pyproject.toml":           "[tool.pyreload]\npaths = [\"services\"]\n",
		"src/shop/__init__.py":     "",
		"src/shop/core.py":         "",
		"services/api/__init__.py": "",
		"services/api/views.py":    "",
	})
	root = reload.Canonical(root)
	_, w, _ := watchedSession(t, root, []string{filepath.Join(root, "src/shop/core.py")})
	assert.Equal(t, []string{"shop"}, w.Only(), "a file argument names its package")
	pkg, ok := w.Wanted(filepath.Join(root, "src/shop/core.py"))
	assert.True(t, ok)
	assert.Equal(t, "shop", pkg)
	w.only = nil
	pkg, ok = w.Wanted(filepath.Join(root, "services/api/views.py"))
	assert.True(t, ok)
	assert.Equal(t, "api", pkg)
}
