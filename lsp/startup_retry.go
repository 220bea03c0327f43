package lsp

// What failed when the embedded host started is retried when the user saves
// the file that failed: a package import, or the entry.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/pyreload/pyreload/reload"
)

// rerunEntry restarts the embedded host when its entry failed at startup
// and file, just saved, is where it failed or the entry script itself: the
// app runs again with the edit, as it would if the user restarted it. It
// reports whether it did.
func (r *root) rerunEntry(file string) bool {
	r.mu.Lock()
	h, failed, entry := r.host, r.startup.entry, r.settings.Entry
	r.mu.Unlock()
	if h == nil || failed == nil || file == "" {
		return false
	}
	script := entry
	if !filepath.IsAbs(script) {
		script = filepath.Join(r.dir, script)
	}
	if file != failed.File && file != script {
		return false
	}
	r.s.log.Infof("%s: the entry %s failed at startup and %s was saved: restarting", r.dir, entry, file)
	r.s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("pyreload: the entry `%s` failed at startup; running it again", entry))
	if err := r.restart(); err != nil {
		r.s.showMessage(protocol.MessageTypeError, fmt.Sprintf("pyreload: could not restart the Python host of %s: %v", r.dir, err))
	}
	return true
}

// importLate imports a package that the embedded host was to import when it
// started but whose import raised: saving one of its files (or the reload
// command) tries again, and the startup diagnostics follow the outcome. It
// reports false when pkg is not such a package (an attached app imports
// what it wants).
func (r *root) importLate(pkg string, hash [32]byte) (jobResult, bool) {
	r.mu.Lock()
	h := r.host
	wanted := slices.Contains(r.startup.packages, pkg)
	failures, entry := r.startup.failures, r.startup.entry
	r.mu.Unlock()
	if h == nil || !wanted {
		return jobResult{}, false
	}
	var res struct {
		Imported []string         `json:"imported"`
		Failures []reload.Failure `json:"failures"`
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, callTimeout)
	err := h.Interpreter().Call(ctx, "import", map[string]any{"modules": []string{pkg}}, &res)
	cancel()
	if err != nil {
		return jobResult{err: fmt.Errorf("import %s: %w", pkg, err)}, true
	}
	// The package's earlier failures give way to this try's.
	kept := res.Failures
	for _, f := range failures {
		if f.Module != pkg {
			kept = append(kept, f)
		}
	}
	r.publishStartup(kept, entry)
	r.mu.Lock()
	r.hashes[pkg] = hash
	r.mu.Unlock()
	if len(res.Failures) > 0 {
		return jobResult{err: fmt.Errorf("package %s still fails to import", pkg)}, true
	}
	r.mu.Lock()
	r.loaded[pkg] = true
	r.mu.Unlock()
	r.s.log.Infof("%s: imported %s, which failed at startup", r.dir, pkg)
	r.s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("pyreload: %s imports now (it failed when the interpreter started)", pkg))
	return jobResult{}, true
}
