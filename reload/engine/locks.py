"""Import locks: hold CPython's per-module import locks of the modules a reload replaces.

Other threads that import one of these modules (or find it still initialising)
wait on the same locks, so they never see a half-replaced package. Locks are taken
in sorted order; if CPython's deadlock detection fires (another thread holds one of
them while waiting for one of ours) everything is released and retried.
"""

import time
from importlib import _bootstrap

_DEADLOCK = getattr(_bootstrap, "_DeadlockError", RuntimeError)


def wait_settled(modules, deadline):
    """Wait (until deadline) until none of modules is still being initialised."""
    delay = 0.0005
    while time.monotonic() < deadline:
        busy = False
        for module in modules:
            spec = getattr(module, "__spec__", None)
            if spec is not None and getattr(spec, "_initializing", False):
                busy = True
                break
        if not busy:
            return True
        time.sleep(delay)
        delay = min(delay * 2, 0.02)
    return False


def acquire(names, deadline):
    """Acquire the import locks of names in sorted order; return them held.

    Raises TimeoutError when the locks cannot be had before deadline.
    """
    getter = getattr(_bootstrap, "_get_module_lock", None)
    if getter is None:
        return []
    delay = 0.001
    while True:
        held = []
        try:
            for name in sorted(set(names)):
                lock = getter(name)
                lock.acquire()
                held.append(lock)
            return held
        except _DEADLOCK:
            release(held)
            if time.monotonic() > deadline:
                raise TimeoutError("could not take the import locks of %d modules"
                                   % len(names))
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def release(held):
    """Release locks taken by acquire, last first."""
    for lock in reversed(held):
        try:
            lock.release()
        except RuntimeError:
            pass
