package session

// What failed when the embedded host started is retried when the user saves
// the file that failed: a package import, or the entry.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/pyreload/pyreload/reload"
)

// rerunEntry restarts the embedded host when its entry failed at startup
// and file, just saved, is where it failed or the entry script itself: the
// app runs again with the edit, as it would if the user restarted it. It
// reports whether it did.
func (s *Session) rerunEntry(file string) bool {
	s.mu.Lock()
	h, failed, entry := s.host, s.startup.entry, s.settings.Entry
	s.mu.Unlock()
	if h == nil || failed == nil || file == "" {
		return false
	}
	script := entry
	if !filepath.IsAbs(script) {
		script = filepath.Join(s.dir, script)
	}
	if file != failed.File && file != script {
		return false
	}
	s.cfg.Log.Infof("%s: the entry %s failed at startup and %s was saved: restarting", s.dir, entry, file)
	s.message(Info, "pyreload: the entry `%s` failed at startup; running it again", entry)
	if err := s.restart(); err != nil {
		s.message(Error, "pyreload: could not restart the Python host of %s: %v", s.dir, err)
	}
	return true
}

// importLate imports a package that the embedded host was to import when it
// started but whose import raised: saving one of its files (or the reload
// command) tries again, and the startup failures follow the outcome. It
// reports false when pkg is not such a package (an attached app imports
// what it wants).
func (s *Session) importLate(pkg string, hash [32]byte) (Outcome, bool) {
	s.mu.Lock()
	h := s.host
	wanted := slices.Contains(s.startup.packages, pkg)
	failures, entry := s.startup.failures, s.startup.entry
	s.mu.Unlock()
	if h == nil || !wanted {
		return Outcome{}, false
	}
	var res struct {
		Imported []string         `json:"imported"`
		Failures []reload.Failure `json:"failures"`
	}
	ctx, cancel := context.WithTimeout(s.ctx, CallTimeout)
	err := h.Interpreter().Call(ctx, "import", map[string]any{"modules": []string{pkg}}, &res)
	cancel()
	if err != nil {
		return Outcome{Err: fmt.Errorf("import %s: %w", pkg, err)}, true
	}
	// The package's earlier failures give way to this try's.
	kept := res.Failures
	for _, f := range failures {
		if f.Module != pkg {
			kept = append(kept, f)
		}
	}
	s.setStartup(kept, entry)
	s.mu.Lock()
	s.hashes[pkg] = hash
	s.mu.Unlock()
	if len(res.Failures) > 0 {
		return Outcome{Err: fmt.Errorf("package %s still fails to import", pkg)}, true
	}
	s.mu.Lock()
	s.loaded[pkg] = true
	s.mu.Unlock()
	s.cfg.Log.Infof("%s: imported %s, which failed at startup", s.dir, pkg)
	s.message(Info, "pyreload: %s imports now (it failed when the interpreter started)", pkg)
	return Outcome{}, true
}
