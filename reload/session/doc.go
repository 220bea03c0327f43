// Package session is one workspace root's live reload session: the
// interpreters that run the root's code (an embedded host it starts and
// restarts, or the `pyreload run`s and agents it attaches to), when a save
// becomes a reload (a debounce per package, and no reload while a file of
// the package is unsaved in the editor), and the worker that runs reloads,
// fixes and restarts one at a time. It also retries what failed when the
// host started once the user saves the file that failed, and restarts a host
// that dies, within a crash-loop bound.
//
// A session knows nothing of its owner's protocol. The owner (the language
// server, `pyreload reload --watch`) hears what happens through Events
// (reports, failures, status, messages, progress, startup failures) and
// answers Workspace (settings, unsaved files); the interpreters come in
// through Interpreters (Real() discovers sockets and starts hosts; tests
// give fakes). Every Events method is called off the owner's read loop,
// never with a session lock held.
package session
