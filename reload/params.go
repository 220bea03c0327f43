package reload

// ReloadParams are the parameters of the reload method.
type ReloadParams struct {
	Package string `json:"package,omitempty"`
	File    string `json:"file,omitempty"`
	Mode    string `json:"mode,omitempty"` // inplace (default; "patch" means the same) or evict
	// All re-executes every loaded module of the package, changed or not.
	All bool `json:"all,omitempty"`
	// Reset names modules ("pkg.mod") or module values ("pkg.mod.NAME")
	// whose statements run again in this in-place reload even if unchanged.
	Reset []string `json:"reset,omitempty"`
	// Hooks names user modules whose before_reload/after_reload(modules)
	// run around an in-place reload (the hooks setting).
	Hooks      []string `json:"hooks,omitempty"`
	Dependents bool     `json:"dependents,omitempty"`
	TimeoutMS  int      `json:"timeout_ms,omitempty"`
}

// FixParams are the parameters of the fix method.
type FixParams struct {
	Kind    string        `json:"kind"`
	Package string        `json:"package"`
	Targets []FindingData `json:"targets,omitempty"` // the data of diagnostics; none: every finding
}

// ScanParams are the parameters of the scan method.
type ScanParams struct {
	Packages []string `json:"packages"`
}

// Status is the result of the status method.
type Status struct {
	PID        int      `json:"pid"`
	Kind       string   `json:"kind"`
	Root       string   `json:"root"`
	Python     string   `json:"python"`
	Executable string   `json:"executable"`
	SysPath    []string `json:"sys_path"`
	Modules    int      `json:"modules"`
	Entry      string   `json:"entry,omitempty"`
	EntryState string   `json:"entry_state"`
	EntryError *Failure `json:"entry_error"`
	Packages   []string `json:"packages"`
	// StartupFailures are the imports of the host's --import list that raised.
	StartupFailures []Failure `json:"startup_failures"`
	// Busy: user code held the interpreter past the status deadline; only
	// the fields known outside Python are filled.
	Busy bool `json:"busy,omitempty"`
}
