package reload

// Report mirrors the engine's report JSON (PROTOCOL.md, "Report").
type Report struct {
	Action     string      `json:"action"` // reload, scan or fix
	Package    string      `json:"package"`
	OK         bool        `json:"ok"`
	RolledBack bool        `json:"rolled_back"`
	Modules    []string    `json:"modules"`
	DurationMS float64     `json:"duration_ms"`
	Error      *Failure    `json:"error"`
	Stale      []Stale     `json:"stale"`
	Fixes      []FixResult `json:"fixes,omitempty"`
	Process    *Process    `json:"process,omitempty"`
	// Mode is the reload's mode, "inplace" or "evict" (reload reports).
	Mode string `json:"mode,omitempty"`
	// Unchanged: an in-place reload found no module whose source changed.
	Unchanged bool `json:"unchanged,omitempty"`
	// Updated counts the old functions and classes an in-place reload
	// updated; Kept, Reset, Added, Deleted and Rebound name module values
	// ("pkg.mod.NAME"): data whose statement did not run again, data whose
	// statement ran again, names the edit added or removed, and from-imports
	// elsewhere that now bind the new value.
	Updated *Updated `json:"updated,omitempty"`
	Kept    []string `json:"kept,omitempty"`
	Reset   []string `json:"reset,omitempty"`
	Added   []string `json:"added,omitempty"`
	Deleted []string `json:"deleted,omitempty"`
	Rebound []string `json:"rebound,omitempty"`
	// Errors lists interpreters of a merged report that did not answer.
	Errors []ProcessError `json:"errors,omitempty"`
	// RolledBackIn names, when interpreters disagree, those whose reload
	// raised and was rolled back while others applied it.
	RolledBackIn []ProcessError `json:"rolled_back_in,omitempty"`
}

// Updated counts what an in-place reload updated.
type Updated struct {
	Functions int `json:"functions"`
	Classes   int `json:"classes"`
}

// Failure is a Python exception with where it was raised (1-based).
type Failure struct {
	Type      string `json:"type"`
	Message   string `json:"message"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	Traceback string `json:"traceback,omitempty"`
	// Module names the module whose import failed (the import method).
	Module string `json:"module,omitempty"`
	// Threads names threads a rolled-back reload's failed code left running.
	Threads []string `json:"threads,omitempty"`
}

// Stale is one reference that still points at old code.
type Stale struct {
	Code      string      `json:"code"`
	Message   string      `json:"message"`
	File      string      `json:"file,omitempty"` // empty: could not be located
	Line      int         `json:"line,omitempty"`
	Column    int         `json:"column,omitempty"`
	EndLine   int         `json:"end_line,omitempty"`
	EndColumn int         `json:"end_column,omitempty"`
	Holder    string      `json:"holder"`
	Name      string      `json:"name"`
	Target    string      `json:"target"`
	New       *Location   `json:"new"`
	Count     int         `json:"count"`
	Fixes     []string    `json:"fixes"`
	Data      FindingData `json:"data"`
	// Processes names the processes that reported this reference when a
	// merged report spans several interpreters and they disagree.
	Processes []Process `json:"processes,omitempty"`
}

// FindingData is the engine's record of one finding (PROTOCOL.md "Stale",
// its "data"), finished in the engine (reload/engine/entries.py stale and
// report). The language server publishes it as a diagnostic's data, a
// client sends it back with a code action, and it goes to the fix method as
// one of FixParams.Targets. The engine matches a target on each of code,
// holder, name and target that is present (fixes.select): an empty one is
// left out of the JSON, so it matches anything, as the engine's null does.
type FindingData struct {
	Code    string `json:"code,omitempty"`
	Package string `json:"package,omitempty"` // the reloaded package (report adds it)
	// Holder is the module (or thread, class) that holds the reference,
	// Name what it holds it as, Target the old object's qualified name.
	Holder string `json:"holder,omitempty"`
	Name   string `json:"name,omitempty"`
	Target string `json:"target,omitempty"`
	// Fixes are the fix kinds that apply, the preferred first.
	Fixes []string `json:"fixes"`
}

// Location is a 1-based file position.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// FixResult tells what one fix changed, or why it could not.
type FixResult struct {
	Kind    string `json:"kind"`
	Target  string `json:"target"`
	Holder  string `json:"holder"`
	Changed bool   `json:"changed"`
	Detail  string `json:"detail"`
}

// Diagnostic codes (DESIGN.md).
const (
	CodeStaleImport   = "stale-import"
	CodeStaleModule   = "stale-module"
	CodeStaleInstance = "stale-instance"
	CodeStaleSubclass = "stale-subclass"
	CodeStaleCallback = "stale-callback"
	CodeStaleThread   = "stale-thread"
	CodeDeletedName   = "deleted-name"
	CodeReloadFailed  = "reload-failed"
	CodeNotUpdated    = "not-updated"    // an old function or class that could not take its new definition in place
	CodeRestartNeeded = "restart-needed" // a change a framework cannot take live
)

// Fix kinds accepted by the fix method.
const (
	FixRebind     = "rebind"
	FixPatch      = "patch"
	FixDependents = "dependents"
	FixAll        = "all"
)
