// Package supervise starts and watches the embedded host: `pyreload host`,
// a child process of the same binary that owns one CPython interpreter. It
// notices a dead host at once (crash, os._exit, sys.exit, OOM kill), says why
// (exit code or signal and the last lines it wrote to stderr), and restarts
// it on request. A crash in user code never takes the parent down.
package supervise
