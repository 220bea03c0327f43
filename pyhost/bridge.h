/* bridge.h: the few CPython calls pyhost needs that cpy3 does not wrap. */
#ifndef PYHOST_BRIDGE_H
#define PYHOST_BRIDGE_H
#include <Python.h>

/* Path of the python3.X executable that belongs to the libpython this
 * process is linked with, or "" when none is found. */
const char *pyhost_default_executable(void);
/* Identifier of the calling OS thread as Python knows it. */
unsigned long pyhost_thread_ident(void);
/* Raise KeyboardInterrupt asynchronously in thread ident (GIL held).
 * Returns the number of thread states modified. */
int pyhost_interrupt(unsigned long ident);
/* Whether the calling thread has an asynchronous exception pending (GIL
 * held). It must be consumed by running bytecode, never cancelled with
 * PyThreadState_SetAsyncExc(id, NULL): that leaves the interpreter's
 * eval-breaker flag set for good, which slows every thread and loops
 * forever at function entry once a profile or trace function is set. */
int pyhost_async_pending(void);
/* A new module "_pyreload_accel" with C-speed heap filters (GIL held). */
PyObject *pyhost_accel_module(void);
/* Give the fatal signals (SEGV, BUS, FPE, ILL, ABRT) their default action, so
 * that faulthandler, enabled after this, dumps the Python stacks and then the
 * process dies of the real signal instead of Go's "signal during cgo" exit 2. */
void pyhost_default_fatal_signals(void);
/* Record the calling thread as the interpreter's main thread (the one that
 * initialised CPython) and install the no-op, non-restarting signal handler
 * that pyhost_interrupt_main uses to wake it. No GIL needed. */
void pyhost_mark_main_thread(void);
/* What SIGINT does under python3: run Python's SIGINT handler in the main
 * thread (PyErr_SetInterruptEx), waking it from a blocking call (EINTR).
 * No GIL needed. */
void pyhost_interrupt_main(void);
/* Give SIGINT Python's default_int_handler (KeyboardInterrupt) in Python's
 * own handler table while the process-level handler stays Go's. Main
 * thread, GIL held; -1 with a Python error set on failure. */
int pyhost_python_sigint(void);
#endif
