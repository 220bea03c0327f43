package hostproto

// ExitSteppedAside is the exit status of a language server's host (or
// hosted agent) that ended because a `pyreload run` of its root asked it to
// make way: the request `shutdown` with params {"step_aside": true}. The
// server then reloads into the run's interpreter instead of starting
// another copy of the app, which would fight the run for its ports.
const ExitSteppedAside = 75
