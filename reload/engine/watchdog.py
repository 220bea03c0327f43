"""Deadline for a reload's re-import: a runaway module top level is interrupted.

When armed, a timer raises ReloadTimeout asynchronously in the reloading thread
(PyThreadState_SetAsyncExc) if the re-import is still running at the deadline;
the reload then rolls back like any other failure. Code blocked inside a C call
is interrupted only when it returns to Python.
"""

import ctypes
import threading

# The engine's deadline for a reload (or a fix's reload of a module) when the
# request gives no timeout_ms; reload.EngineDefaultTimeout says the same (a Go
# test reads this line).
DEFAULT_SECONDS = 30.0


class ReloadTimeout(BaseException):
    """Raised in the reloading thread at its deadline. A BaseException, like
    KeyboardInterrupt, so that `except Exception` in the code being imported
    (or `except OSError` around the reload's own I/O) does not swallow it."""


class Deadline:
    """Arms a timer for the calling thread; disarm() before leaving the guarded code."""

    def __init__(self, seconds, enabled=True):
        self.ident = threading.get_ident()
        self.guard = threading.Lock()
        self.active = enabled
        self.seconds = seconds
        self.timer = None
        if enabled:
            self.timer = threading.Timer(seconds, self._fire)
            self.timer.name = "pyreload-deadline"
            self.timer.daemon = True
            self.timer.start()

    def _fire(self):
        with self.guard:
            if not self.active:
                return
            self.active = False
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.ident), ctypes.py_object(ReloadTimeout))

    def disarm(self):
        """Stop the timer; call inside the try block that handles the timeout."""
        with self.guard:
            self.active = False
        if self.timer is not None:
            self.timer.cancel()
