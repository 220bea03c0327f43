// Package hostproto speaks the host protocol (reload/PROTOCOL.md): newline-
// delimited JSON-RPC 2.0 over per-user unix sockets, one per interpreter
// process, named from the workspace root. It has the client that implements
// reload.Interpreter, the server framing the embedded host uses, the socket
// directory rules (0700 dir, 0600 socket, peer uid checked) and discovery of
// a root's live interpreters.
package hostproto
