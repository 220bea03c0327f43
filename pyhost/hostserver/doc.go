// Package hostserver is `pyreload host`: it starts the embedded interpreter,
// loads the engine into it, serves the host protocol on the root's socket,
// imports the configured packages, runs the user's entry in a background
// Python thread, and exits the way the app asks (sys.exit code, shutdown,
// SIGTERM) after stopping the app cleanly.
package hostserver
