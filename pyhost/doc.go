// Package pyhost hosts the process's one CPython interpreter (Runtime). It is the only
// package that imports cpy3 or "C". A locked OS thread initialises CPython
// and stays the interpreter's main thread: CallMain runs there (the user's
// app, as python3 would run it), and InterruptMain is Ctrl-C to it. Every
// other call runs on a worker goroutine locked to an OS thread that keeps a
// persistent Python thread state, takes the GIL, and gives it back. Python exceptions come back as *PyError with type,
// message and traceback; SystemExit never reaches PyErr_Print; a call past
// its deadline is interrupted with an asynchronous exception and reported,
// and the interpreter stays usable. No *PyObject appears in the API: callers
// pass and receive strings (the host protocol speaks JSON).
package pyhost
