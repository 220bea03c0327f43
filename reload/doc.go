// Package reload is pyreload's reload engine on the Go side (in place or by eviction): it resolves
// which package a file belongs to, drives reloads, scans and fixes in every
// interpreter of a workspace root through the Interpreter interface, merges
// their reports, and turns a report into editor-ready locations.
//
// The work inside Python is done by the engine files in reload/engine, which
// the embedded host and the pure-Python agent both run. This package never
// touches cgo: interpreters are reached only through the host protocol
// (PROTOCOL.md).
package reload
