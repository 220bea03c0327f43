package reload

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Summary is the one-line account of a report that editors show and the
// CLI prints: "reloaded shop (14 modules) in 38 ms — 3 stale references".
func Summary(r Report) string {
	ms := int(r.DurationMS + 0.5)
	switch {
	case !r.OK && len(r.RolledBackIn) > 0:
		pids := make([]string, len(r.RolledBackIn))
		for n, p := range r.RolledBackIn {
			pids[n] = fmt.Sprint(p.Process.PID)
		}
		return fmt.Sprintf("reload of %s failed and was rolled back in pid %s (%s); the other interpreters applied it",
			r.Package, strings.Join(pids, ", "), r.RolledBackIn[0].Message)
	case !r.OK && r.Error != nil:
		where := ""
		if r.Error.File != "" {
			where = fmt.Sprintf(" at %s:%d", shortPath(r.Package, r.Error.File), r.Error.Line)
		}
		return fmt.Sprintf("reload of %s failed%s and was rolled back: %s: %s", r.Package, where, r.Error.Type, r.Error.Message)
	case !r.OK:
		return fmt.Sprintf("reload of %s failed and was rolled back", r.Package)
	}
	if r.Unchanged && len(r.Errors) == 0 {
		return fmt.Sprintf("%s: nothing changed since it was loaded or last reloaded", r.Package)
	}
	verb := map[string]string{"scan": "scanned", "fix": "fixed"}[r.Action]
	if verb == "" {
		verb = "reloaded"
	}

	stale := "no stale references"
	if n := len(r.Stale); n > 0 {
		stale = count(n, "stale reference")
	}
	procs := ""
	if n := len(r.Errors); n == 1 {
		procs = " (1 interpreter did not answer)"
	} else if n > 1 {
		procs = fmt.Sprintf(" (%d interpreters did not answer)", n)
	}
	mods := ""
	if r.Action == "" || r.Action == "reload" {
		mods = " (" + count(len(r.Modules), "module") + ")"
	}
	how := ""
	if r.Mode == "inplace" && (r.Action == "" || r.Action == "reload") {
		how = " in place"
		var parts []string
		if n := len(r.Kept); n > 0 {
			parts = append(parts, "kept "+count(n, "value"))
		}
		if n := len(r.Reset); n > 0 {
			parts = append(parts, fmt.Sprintf("reset %d", n))
		}
		if len(parts) > 0 {
			mods = " (" + count(len(r.Modules), "module") + "; " + strings.Join(parts, ", ") + ")"
		}
	}
	return fmt.Sprintf("%s %s%s%s in %d ms — %s%s", verb, r.Package, how, mods, ms, stale, procs)
}

// shortPath shows file from its package directory on ("shop/b.py"), else
// by its base name: a one-line summary has no room for absolute paths.
func shortPath(pkg, file string) string {
	sep := string(filepath.Separator)
	if i := strings.LastIndex(file, sep+pkg+sep); pkg != "" && i >= 0 {
		return file[i+1:]
	}
	return filepath.Base(file)
}

// count is "1 module", "2 modules", "0 modules".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
