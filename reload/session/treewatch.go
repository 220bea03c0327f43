package session

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/pyreload/pyreload/reload/config"
)

// TreeWatcher is the saves of an owner without an editor (`pyreload reload
// --watch`): it watches a root recursively and tells its session of every
// written .py file (the session debounces and resolves packages, as for an
// editor's saves) and of a written pyproject.toml.
type TreeWatcher struct {
	sess *Session
	only []string // packages to reload; empty: all
	fsw  *fsnotify.Watcher
	// Errors receives the watcher's own errors; nil drops them.
	Errors func(err error)
}

// WatchTree watches the session's root. only names the packages to reload
// (a file names its package); empty means every package.
func WatchTree(sess *Session, only []string) (*TreeWatcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &TreeWatcher{sess: sess, fsw: fsw}
	for _, p := range only {
		if strings.HasSuffix(p, ".py") || strings.Contains(p, string(filepath.Separator)) {
			abs, _ := filepath.Abs(p)
			if pkg, ok := sess.PackageOf(abs); ok {
				p = pkg
			}
		}
		w.only = append(w.only, p)
	}
	if err := w.addTree(sess.dir, nil); err != nil {
		fsw.Close()
		return nil, err
	}
	return w, nil
}

// Only is the packages the watcher reloads; empty: all.
func (w *TreeWatcher) Only() []string { return w.only }

// Close stops watching.
func (w *TreeWatcher) Close() error { return w.fsw.Close() }

// Run hands the changes on to the session until ctx ends.
func (w *TreeWatcher) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if w.Errors != nil {
				w.Errors(err)
			}
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.note(ev)
		}
	}
}

// note hands on the files an event touches.
func (w *TreeWatcher) note(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return
	}
	if ev.Name == filepath.Join(w.sess.dir, config.FileName) {
		w.sess.SettingsChanged() // a saved pyproject.toml applies to the next reload
		return
	}
	if ev.Has(fsnotify.Create) {
		if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
			if skipDir(ev.Name) {
				return
			}
			var files []string
			w.addTree(ev.Name, &files) // a new directory: watch it, and what it holds
			for _, f := range files {
				w.saved(f)
			}
			return
		}
	}
	w.saved(ev.Name)
}

// saved tells the session of a written file of a wanted package.
func (w *TreeWatcher) saved(file string) {
	if _, ok := w.Wanted(file); ok {
		w.sess.Saved(file)
	}
}

// Wanted returns the package of a Python file and whether the watcher
// reloads it.
func (w *TreeWatcher) Wanted(file string) (string, bool) {
	if !strings.HasSuffix(file, ".py") {
		return "", false
	}
	pkg, ok := w.sess.PackageOf(file)
	if !ok || len(w.only) > 0 && !slices.Contains(w.only, pkg) {
		return "", false
	}
	return pkg, true
}

// addTree watches dir and its subdirectories, skipping VCS, caches and
// virtualenvs; the .py files met are appended to files when non-nil.
func (w *TreeWatcher) addTree(dir string, files *[]string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // vanished or unreadable below the root: skip it
		}
		if !d.IsDir() {
			if files != nil && strings.HasSuffix(p, ".py") {
				*files = append(*files, p)
			}
			return nil
		}
		if p != w.sess.dir && skipDir(p) {
			return filepath.SkipDir
		}
		if err := w.fsw.Add(p); err != nil && p == dir {
			return err
		}
		return nil
	})
}

// skipDir tells whether a directory is never watched: hidden ones (.git,
// .venv, .tox, ...), caches, node_modules, site-packages and virtualenvs.
func skipDir(dir string) bool {
	switch name := filepath.Base(dir); {
	case strings.HasPrefix(name, "."), name == "__pycache__", name == "node_modules",
		name == "site-packages", name == "dist-packages", name == "venv":
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}
