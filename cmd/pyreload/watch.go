package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pyreload/pyreload/reload"
	"github.com/pyreload/pyreload/reload/config"
	"github.com/pyreload/pyreload/reload/project"
)

// watchDebounce collapses a burst of file events (an editor's save is
// several) into one reload: [tool.pyreload] debounceMs, else 200 ms.
func watchDebounce(st config.Settings) time.Duration {
	if st.DebounceMS > 0 {
		return time.Duration(st.DebounceMS) * time.Millisecond
	}
	return 200 * time.Millisecond
}

// watchCommand is `pyreload reload --watch [PACKAGE...]`: watch the root
// recursively, and after each burst of changes to .py files reload the
// affected top-level packages (only the named ones, if any) in every
// interpreter of the root, printing each report, until Ctrl-C.
func watchCommand(o cliOptions, packages []string) int {
	root := o.root
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := newTreeWatcher(root, packages)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyreload reload --watch: %v\n", err)
		return exitSoftware
	}
	defer w.Close()
	what := "every package"
	if len(packages) > 0 {
		what = strings.Join(w.only, ", ")
	}
	fmt.Fprintf(os.Stderr, "pyreload: watching %s for changes to %s; Ctrl-C to stop\n", root, what)
	w.Run(ctx, watchDebounce(loadSettings(root)), func(pkgs []string) {
		reloadChanged(ctx, o, pkgs, os.Stdout, os.Stderr)
	})
	return exitOK
}

// reloadChanged reloads pkgs in the root's interpreters as found right now
// and prints each report as it comes: human lines, or one JSON object a line.
func reloadChanged(ctx context.Context, o cliOptions, pkgs []string, stdout, stderr io.Writer) {
	o.settings = loadSettings(o.root) // a saved pyproject.toml applies to the next batch
	ins, err := discover(o, stderr)
	defer closeAll(ins)
	if err != nil || len(ins) == 0 {
		fmt.Fprintf(stderr, "pyreload: %s changed, but no interpreter is reachable for %s\n", strings.Join(pkgs, ", "), o.root)
		return
	}
	fleet := reload.NewFleet(ins...)
	enc := json.NewEncoder(stdout)
	for _, pkg := range pkgs {
		rep, fixed, err := reloadTarget(ctx, fleet, o, pkg)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && o.asJSON:
			enc.Encode(map[string]string{"package": pkg, "error": err.Error()})
		case err != nil:
			fmt.Fprintf(stderr, "pyreload reload: %s: %v\n", pkg, err)
		case o.asJSON:
			enc.Encode(rep)
			if fixed != nil {
				enc.Encode(fixed)
			}
		case fixed != nil:
			printReport(stdout, stderr, o.root, *fixed)
		default:
			printReport(stdout, stderr, o.root, rep)
		}
	}
}

// treeWatcher watches a root directory recursively for .py changes.
type treeWatcher struct {
	root string
	only []string // packages to reload; empty: all
	fsw  *fsnotify.Watcher
	errw io.Writer
	// sysPath is the root's sys.path entries (src layout, paths setting):
	// which package a file belongs to.
	sysPath []string
}

func newTreeWatcher(root string, packages []string) (*treeWatcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	st, _ := config.Load(root) // problems are told by loadSettings
	w := &treeWatcher{root: root, fsw: fsw, errw: os.Stderr, sysPath: project.SysPath(root, st.Paths)}
	for _, p := range packages {
		if strings.HasSuffix(p, ".py") || strings.Contains(p, string(filepath.Separator)) {
			abs, _ := filepath.Abs(p)
			if pkg, ok := reload.ResolvePackageIn(root, abs, w.sysPath); ok {
				p = pkg
			}
		}
		w.only = append(w.only, p)
	}
	if err := w.addTree(root, nil); err != nil {
		fsw.Close()
		return nil, err
	}
	return w, nil
}

// Close stops watching.
func (w *treeWatcher) Close() error { return w.fsw.Close() }

// Run calls fire with the sorted affected packages after each burst of
// changes has been quiet for debounce, until ctx ends.
func (w *treeWatcher) Run(ctx context.Context, debounce time.Duration, fire func([]string)) {
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(w.errw, "pyreload: watch: %v\n", err)
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if w.note(ev, pending) {
				timer.Reset(debounce)
			}
		case <-timer.C:
			if len(pending) == 0 {
				continue
			}
			pkgs := make([]string, 0, len(pending))
			for p := range pending {
				pkgs = append(pkgs, p)
			}
			sort.Strings(pkgs)
			pending = map[string]bool{}
			fire(pkgs)
		}
	}
}

// note records the package an event touches; it reports whether it did.
func (w *treeWatcher) note(ev fsnotify.Event, pending map[string]bool) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if ev.Has(fsnotify.Create) {
		if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
			if skipDir(ev.Name) {
				return false
			}
			var files []string
			w.addTree(ev.Name, &files) // a new directory: watch it, and count what it holds
			found := false
			for _, f := range files {
				found = w.add(f, pending) || found
			}
			return found
		}
	}
	return w.add(ev.Name, pending)
}

func (w *treeWatcher) add(file string, pending map[string]bool) bool {
	if !strings.HasSuffix(file, ".py") {
		return false
	}
	pkg, ok := reload.ResolvePackageIn(w.root, file, w.sysPath)
	if !ok || !w.wanted(pkg) {
		return false
	}
	pending[pkg] = true
	return true
}

func (w *treeWatcher) wanted(pkg string) bool {
	if len(w.only) == 0 {
		return true
	}
	for _, p := range w.only {
		if p == pkg {
			return true
		}
	}
	return false
}

// addTree watches dir and its subdirectories, skipping VCS, caches and
// virtualenvs; the .py files met are appended to files when non-nil.
func (w *treeWatcher) addTree(dir string, files *[]string) error {
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
		if p != w.root && skipDir(p) {
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
