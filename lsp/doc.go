// Package lsp is pyreload's language server. When a Python file is saved it
// deep-reloads the file's package in every interpreter attached to the
// workspace root (starting an embedded host when none is running), then
// publishes what still runs the old code as diagnostics, with quick fixes
// that rebind, patch in place or reload dependents inside the interpreter.
//
// Handlers are thin and run on the read loop: they decode, update state and
// hand slow work to a per-root worker (worker.go) that talks to the
// interpreters and to the client off the loop. The transport is
// lsp/internal/rpc; message types come from glsp's protocol package.
package lsp
