"""Deep reload of one package subtree: lock, evict, re-import in order, roll back on error."""

import importlib
import sys
from importlib import machinery
import threading
import time
from itertools import islice

from . import failure
from . import fresh
from . import locks
from . import missing
from . import paths
from . import precompile
from . import state as statemod
from . import watchdog

_MISSING = object()


class Outcome:
    """What a deep reload did: the new module names, or the failure."""

    def __init__(self, modules=(), error=None, rolled_back=False):
        self.modules = list(modules)
        self.error = error
        self.rolled_back = rolled_back


def deep_reload(st, package, timeout_s=watchdog.DEFAULT_SECONDS):
    """Replace package and its loaded submodules by freshly imported ones."""
    deadline = time.monotonic() + max(timeout_s, 0.1)
    threads_before = set(threading.enumerate())
    before = list(sys.modules.items())
    live = {}
    nones = []
    for name, module in before:
        if paths.in_tree(name, package):
            if module is None:
                nones.append(name)
            else:
                live[name] = module
    gone = missing.sources_gone(st, live)
    if gone:
        return Outcome(error=missing.failure(st, live, gone))
    if not locks.wait_settled(list(live.values()), deadline):
        return Outcome(error=failure.refusal(
            "`%s` is still being imported by another thread" % package, "Busy"))
    try:
        held = locks.acquire(list(live), deadline)
    except TimeoutError as exc:
        return Outcome(error=failure.refusal(str(exc), "Busy"))
    parent = parent_snapshot(package)
    known = st.sources.snapshot()
    deadline_guard = None
    marker = _Marker(package)
    pool = None
    try:
        try:
            sources = _stale_sources(st, live)
            pool = precompile.pool_for(st, len(sources))
            if pool is not None:
                pool.submit(sources)
            order = _evict(live, nones)
            importlib.invalidate_caches()
            deadline_guard = watchdog.Deadline(max(deadline - time.monotonic(), 0.05),
                                               st.watchdog)
            with fresh.installed([package], st.root, st.libdirs, st.real, pool) as finder:
                _reimport(package, order, marker)
            st.codes.update(finder.codes)
            deadline_guard.disarm()
            new = [n for n in list(sys.modules) if paths.in_tree(n, package)
                   and sys.modules.get(n) is not None]
        except BaseException as exc:  # roll back whatever the new code raised
            if deadline_guard is not None:
                deadline_guard.disarm()
            interrupted = isinstance(exc, watchdog.ReloadTimeout)
            if interrupted:
                exc = _timeout_error(exc, timeout_s)
            rollback(parent, dict(before))
            st.sources.restore(known)
            fail = failure.from_exception(exc, st.root, st.libdirs, interrupted)
            return Outcome(error=failure.note_threads(fail, threads_before), rolled_back=True)
        finally:
            marker.unmark()
            if pool is not None:
                pool.forget()
    finally:
        locks.release(held)
    st.count += 1
    gens = st.generations.setdefault(package, [])
    for module in live.values():
        gens.append(statemod.OldModule(module, st.count))
    st.order[package] = new
    return Outcome(modules=new)


def _stale_sources(st, live):
    """Return the workspace source paths of live whose cached bytecode cannot
    be trusted (what the re-import compiles), in the order it imports them."""
    out = []
    for name in _import_order(live):
        module = live[name]
        loader = getattr(getattr(module, "__spec__", None), "loader", None)
        if type(loader) not in (machinery.SourceFileLoader, fresh.FreshSourceLoader):
            continue
        path = loader.path
        if (paths.is_workspace(path, st.root, st.libdirs, st.real)
                and not fresh.cache_is_trustworthy(path)):
            out.append(path)
    return out


def _import_order(live):
    """Return live's names in the order _reimport imports them: sys.modules
    order, except that a package comes before its submodules (importlib moves
    a package to the end of sys.modules once its __init__ has run)."""
    out = []
    seen = set()
    for name in live:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            head = ".".join(parts[:end])
            if head in live and head not in seen:
                seen.add(head)
                out.append(head)
    return out


def _timeout_error(exc, timeout_s):
    """Return a TimeoutError carrying exc's traceback, with a readable message."""
    out = TimeoutError("the re-import did not finish within %g ms" % (timeout_s * 1000))
    return out.with_traceback(exc.__traceback__)


def parent_snapshot(package):
    """Return (parent module, attribute, old value) when package is a submodule."""
    parent_name, _, attr = package.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    if parent is None:
        return None
    return parent, attr, vars(parent).get(attr, _MISSING)


def _evict(live, nones):
    """Remove the subtree from sys.modules; return the names in import order."""
    for name in nones:
        if sys.modules.get(name, _MISSING) is None:
            del sys.modules[name]
    for name, module in live.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
    return list(live)


def _reimport(package, order, marker):
    """Import every name of order that is not loaded yet, as the original did."""
    if package not in order:
        order = [package] + order
    for name in order:
        if sys.modules.get(name) is not None:
            continue
        importlib.import_module(name)  # a source gone was refused before evicting
        marker.mark_new()


class _Marker:
    """Marks new subtree modules as initialising so other threads wait on their locks.

    Only new sys.modules keys are looked at: sys.modules keeps insertion order,
    so the modules an import added are its last keys; when entries were removed
    meanwhile (the tail no longer lines up with what was seen last) every entry
    is looked at again. unmark() clears only the marks set here: a module that
    another thread is still importing keeps the mark importlib gave it.
    """

    def __init__(self, package):
        self.package = package
        self.marked = []  # specs this marker set initialising
        self.size = -1  # len(sys.modules) at the last look; -1: look at everything
        self.last = None  # the last key then

    def mark_new(self):
        modules = sys.modules
        size = len(modules)
        added = size - self.size
        # islice/reversed/list run in C: one atomic look at the newest keys. A key
        # added or removed by another thread since len() shifts the tail, so its
        # first key is not the one seen last and everything is looked at.
        tail = (list(islice(reversed(modules), added + 1))
                if self.size >= 0 and added >= 0 else None)
        if tail is not None and len(tail) == added + 1 and tail[-1] == self.last:
            names = tail[:-1]
            newest = tail[0]
        else:
            names = list(modules)
            size = len(names)
            newest = names[-1] if names else None
        self.size, self.last = size, newest
        package = self.package
        prefix = package + "."
        for name in names:
            if name == package or (isinstance(name, str) and name.startswith(prefix)):
                spec = getattr(modules.get(name), "__spec__", None)
                if spec is not None and not getattr(spec, "_initializing", False):
                    try:
                        spec._initializing = True
                    except Exception:
                        continue
                    self.marked.append(spec)

    def unmark(self):
        """Clear the marks set by mark_new."""
        for spec in self.marked:
            try:
                spec._initializing = False
            except Exception:
                pass
        self.marked = []


def rollback(parent, before):
    """Restore the snapshot exactly: sys.modules as it was (every entry the
    failed re-import added, removed or replaced, inside the package or not)
    and the parent package's attribute."""
    restore_modules(before)
    if parent is not None:
        module, attr, old = parent
        if old is _MISSING:
            vars(module).pop(attr, None)
        else:
            setattr(module, attr, old)


def restore_modules(before):
    """Make sys.modules hold exactly the entries of before again (added ones
    removed, removed and replaced ones put back), inside the package or not."""
    for name in list(sys.modules):
        if name not in before:
            sys.modules.pop(name, None)
    for name, module in before.items():
        if sys.modules.get(name, _MISSING) is not module:
            sys.modules[name] = module
