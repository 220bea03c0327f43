"""In-place reload: the edited statements run again inside the live modules, then
every old function, class and module takes its new definition.

One reload is one transaction (Txn):
1. Choose: the loaded modules of the package whose source changed since they
   were loaded (sources.Sources), in load order, each with the bytes that
   were compared: those are what runs and is remembered (one read a file).
2. Run (runphase.py; may raise; nothing outside the module namespaces has
   changed yet): for each module, plan its new statements against the old
   ones (statements.plan). Unchanged statements do not run again and their
   names keep their values, unless they read a name that changed in this
   reload or are marked `# pyreload: reset`; an edited function's body is
   compiled alone; an edited class is updated member by member when only its
   methods changed; anything else runs in the module's namespace. A module
   whose old source is unknown, marked `__pyreload__ = "reset"`, or reloaded
   with `all`, runs whole. Modules of the package (and workspace modules
   outside it) that bound a value which changed are rebound, and the
   package's own statements that read it run again (dependents, follow.py),
   transitively.
3. If anything raised: every namespace and sys.modules are restored exactly
   (Txn.rollback).
4. Update (applyphase.py, by the rules of update.py): old functions take the
   new code, old classes the new namespace; what could not be updated is
   recorded for the report.
"""

import sys
import threading
import time

from . import adapters
from . import applyphase
from . import failure
from . import follow
from . import fresh
from . import locks
from . import missing
from . import paths
from . import reloader
from . import runphase
from . import watchdog


class Outcome:
    """What an in-place reload did, for the report and the leftover scan."""

    def __init__(self):
        self.modules = []  # modules whose statements ran, in order
        self.error = None
        self.rolled_back = False
        self.unchanged = False
        self.kept = []  # "mod.NAME": data whose statement did not run again
        self.reset = []  # "mod.NAME": data whose statement ran again
        self.added = []  # "mod.NAME": names the edit added
        self.deleted = []  # (module name, name, old value)
        self.rebound = []  # (holder module, name, "mod.NAME") from-imports that follow
        self.reassigned = []  # (holder module, name, source module): left alone
        self.functions = 0  # old functions now running new code
        self.classes = 0  # old classes updated in place
        self.replaced = []  # (module, name, old, new, why): could not be updated in place
        self.old_codes = {}  # id(code) -> (code, module, qualname) replaced by new code
        self.findings = []  # Stale dicts the framework adapters reported


def reload(st, package, timeout_s=watchdog.DEFAULT_SECONDS, force_all=False, reset=(),
           hooks=()):
    """Reload the changed modules of package in place; return an Outcome."""
    deadline = time.monotonic() + max(timeout_s, 0.1)
    out = Outcome()
    live = {n: m for n, m in list(sys.modules.items())
            if m is not None and paths.in_tree(n, package)}
    st.sources.sweep(live.values())
    chosen, gone = choose(st, live, force_all, reset)
    if gone:
        out.error = missing.failure(st, live, gone)
        return out
    if not chosen:
        out.unchanged = True
        return out
    if not locks.wait_settled(list(live.values()), deadline):
        out.error = failure.refusal("`%s` is still being imported by another thread"
                                    % package, "Busy")
        return out
    try:
        held = locks.acquire(list(live), deadline)
    except TimeoutError as exc:
        out.error = failure.refusal(str(exc), "Busy")
        return out
    txn = Txn(st, package, live, out, force_all, reset, hooks)
    threads_before = set(threading.enumerate())
    guard = None
    try:
        st.sources.pin({path: version[1] for _, path, version in chosen})
        try:
            guard = watchdog.Deadline(max(deadline - time.monotonic(), 0.05), st.watchdog)
            with fresh.installed([package], st.root, st.libdirs, st.real):
                txn.run(chosen)
            guard.disarm()
        except BaseException as exc:  # roll back whatever the new code raised
            if guard is not None:
                guard.disarm()
            interrupted = isinstance(exc, watchdog.ReloadTimeout)
            if interrupted:
                exc = TimeoutError("the reload did not finish within %g ms"
                                   % (timeout_s * 1000)).with_traceback(exc.__traceback__)
            txn.rollback()
            out.error = failure.note_threads(
                failure.from_exception(exc, st.root, st.libdirs, interrupted), threads_before)
            out.rolled_back = True
            out.modules = []
            return out
        txn.apply()
    finally:
        st.sources.unpin()
        locks.release(held)
    st.count += 1
    return out


def choose(st, live, force_all, reset):
    """Return ([(name, path, (stat, bytes))] to run in load order, [(name,
    path)] missing). The bytes are the version of the file the choice was
    made on (sources.Sources.check): the reload parses, runs and remembers
    them, and reads no module it chose again."""
    chosen, gone = [], []
    forced = {r for r in reset if r in live} | {r.rpartition(".")[0] for r in reset
                                                 if r.rpartition(".")[0] in live}
    for name, module in live.items():
        path = paths.module_path(module)
        if not path or not path.endswith(".py") or not st.sources.is_workspace(path):
            continue
        state, version = st.sources.check(path)
        if state == "missing":
            gone.append((name, path))
        elif state == "changed" or force_all or name in forced:
            if version is None:  # its old source is unknown: read it now, once
                version = st.sources.read_version(path)
            if version is None:
                gone.append((name, path))
            else:
                chosen.append((name, path, version))
    return chosen, gone


class Txn(runphase.RunPhase, follow.Follow, applyphase.ApplyPhase):
    """One in-place reload: runs statements (runphase), follows the changed
    values to their dependents (follow), then updates the old objects
    (applyphase); it alone remembers how to undo (snapshot, rollback)."""

    def __init__(self, st, package, live, out, force_all, reset, hooks=()):
        self.st = st
        self.package = package
        self.live = live
        self.out = out
        self.force_all = force_all
        self.reset = set(reset)
        self.snapshots = {}  # module name -> (module, dict copy of its namespace)
        self.modules_before = dict(sys.modules)
        self.dirty = {}  # module name -> names rebound in this reload
        self.changes = {}  # module name -> {name: (old, new)} identity changes
        self.pending = []  # updates applied once everything ran
        self.sources = {}  # path -> (stat, bytes) run, remembered on success
        self.parent = reloader.parent_snapshot(package)
        self.followed = set()  # (module, name) whose holders were rebound
        self.ctx = adapters.Context(st, package, [])
        self.adapters = adapters.active(hooks)
        self.pool = None  # precompile.Pool compiling modules that run whole

    # -- undo --------------------------------------------------------------

    def snapshot(self, name, module):
        if name not in self.snapshots:
            self.snapshots[name] = (module, dict(vars(module)))

    def rollback(self):
        """Restore every namespace that ran and sys.modules exactly, and what
        the adapters cleared."""
        self.ctx.rollback()
        for module, saved in self.snapshots.values():
            space = vars(module)
            space.clear()
            space.update(saved)
        reloader.rollback(self.parent, self.modules_before)
