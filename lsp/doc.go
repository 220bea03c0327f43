// Package lsp is pyreload's language server. When a Python file is saved it
// reloads the file's package in every interpreter attached to the workspace
// root (starting a host when none is running): in place by default, so the
// running objects take the new code, or by eviction (the mode setting). It
// publishes what could not be updated as diagnostics, with quick fixes that
// rebind, patch in place or reload dependents inside the interpreter.
//
// Handlers are thin and run on the read loop: they decode, update state and
// hand slow work to the root's session (reload/session: its interpreters,
// save scheduling and work queue), whose events come back as diagnostics,
// notifications and messages (events.go). The transport is
// lsp/internal/rpc; message types come from glsp's protocol package.
//
// Published positions are LSP 3.16's: 0-based, characters in UTF-16 code
// units, converted from the engine's code-point columns with the line's
// text (the editor's when the file is open, else the disk's; positions.go).
// A finding the engine cannot locate is published on the reloaded package's
// __init__.py (or module file) at line 1, its message prefixed with
// "(location unknown)" and naming the holder; a failed reload without a
// location goes on the saved file (unlocated.go).
//
// Beyond DESIGN.md's commands the server offers pyreload.fixAll
// ({"package": ...}: every fix the engine can apply to the package's stale
// references; the source.fixAll.pyreload code action runs it). Besides
// standard LSP it sends two notifications that editor clients use:
//
//   - pyreload/report after every reload or fix: {"action", "package", "ok",
//     "modules": N, "duration_ms", "stale": N, "fixes": N, "summary", "mode":
//     "inplace"|"evict", "unchanged", "kept": N, "reset": N, "process": {"pid",
//     "kind", "python", "executable"} when one interpreter answered};
//   - pyreload/status when a root's interpreters change: {"root": uri,
//     "state": "ready"|"restarting"|"failed", "pids": [...]}; "failed"
//     after a crash loop adds "reason" and "file" (the uri to fix and save).
//
// executeCommand answers pyreload.deepReload and the fix commands when the
// work is done, with the same fields as pyreload/report plus "report" (the
// full merged report).
package lsp
