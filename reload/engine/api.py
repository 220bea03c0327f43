"""Engine entry points for hosts: new_state, handle, and the status/import helpers.

A host keeps the State from new_state(root, kind) and calls handle(state, method,
params) for reload, scan, fix (and ping, status, import). A host may set
state.accel to an object with instances_of(types_tuple) -> list to filter the gc
heap in C. handle raises KeyError for an unknown method and ValueError for bad
params; everything else is reported in the returned dict. handle_json is the
same with JSON text in and out. While reload, scan and fix run, CPython's full
collections are held off (young collections go on).
"""

import gc
import importlib
import json
import os
import platform
import sys
import time

from . import adapters
from . import entries
from . import failure
from . import fixes
from . import inplace
from . import leftover
from . import paths
from . import reloader
from . import resolve
from . import scan
from . import state as statemod
from . import watchdog


_NO_FULL = 1 << 30  # a gen2 threshold that is never reached


def new_state(root, kind="host"):
    """Return a fresh State for workspace root; kind is "host" or "agent"."""
    st = statemod.State(root, kind)
    st.describe = adapters.describe
    return st


def handle(st, method, params=None):
    """Run one protocol method and return its result dict."""
    with st.lock:
        paused = _pause_collector(method)
        try:
            return _dispatch(st, method, dict(params or {}))
        finally:
            if paused:
                _resume_collector(paused)


def handle_json(st, method, params_json):
    """handle() with JSON text in and out."""
    return json.dumps(handle(st, method, json.loads(params_json)), default=repr)


def _pause_collector(method):
    """Hold off full collections during reload, scan and fix. A full collection
    of a multi-million-object heap takes seconds, which would stall the request
    (and, in a reload, every thread waiting on the import locks); young
    collections go on as usual. Return what _resume_collector needs, or None."""
    if method not in ("reload", "scan", "fix") or not gc.isenabled():
        return None
    before = gc.get_threshold()
    held = before[:2] + (_NO_FULL,) + before[3:]
    gc.set_threshold(*held)
    return before, held


def _resume_collector(paused):
    """Restore the thresholds _pause_collector changed (unless someone else
    changed them meanwhile)."""
    before, held = paused
    if gc.get_threshold() == held:
        gc.set_threshold(*before)


def _dispatch(st, method, params):
    st.real = paths.Resolver().real  # resolved paths cached for this request
    try:
        if method == "reload":
            return reload(st, params)
        if method == "scan":
            return scan_packages(st, params.get("packages") or [])
        if method == "fix":
            return fix(st, params)
        if method == "status":
            return status_fields(st)
        if method == "import":
            return import_modules(st, params.get("modules") or [])
        if method == "ping":
            return {"pong": True}
    finally:
        st.real = paths.real
    raise KeyError("unknown method %r" % (method,))


MODES = ("inplace", "evict")


def reload(st, params):
    """Reload the package of params (PROTOCOL.md ReloadParams); return a Report.

    mode "inplace" (the default; "patch" is accepted for it) re-runs what
    changed inside the live modules; "evict" re-imports the whole subtree
    into new module objects and reports what still refers to the old ones."""
    started = time.perf_counter()
    mode = params.get("mode") or "inplace"
    if mode == "patch":
        mode = "inplace"
    if mode not in MODES:
        raise ValueError("mode must be inplace or evict, not %r" % (mode,))
    name, fail = resolve.package(st, params)
    if fail is not None:
        label = params.get("package") or ""
        if not label and params.get("file"):
            full = st.real(params["file"])
            label = paths.display(full, st.root, st.real) if paths.under(full, st.root) else ""
        return entries.report(st, "reload", label, started, ok=False, error=fail,
                              extra={"mode": mode})
    timeout = (float(params["timeout_ms"]) / 1000.0 if params.get("timeout_ms")
               else watchdog.DEFAULT_SECONDS)
    if mode == "inplace":
        return _reload_in_place(st, name, params, timeout, started)
    outcome = reloader.deep_reload(st, name, timeout)
    if outcome.error is not None:
        rep = entries.report(st, "reload", name, started, ok=False,
                             rolled_back=outcome.rolled_back, error=outcome.error,
                             stale_list=scan.scan(st, name), extra={"mode": mode})
        st.reports[name] = rep
        return rep
    done = None
    if params.get("dependents"):
        done = fixes.apply(st, name, "dependents", [])
    rep = entries.report(st, "reload", name, started, modules=outcome.modules,
                         stale_list=scan.scan(st, name), fixes=done, extra={"mode": mode})
    st.reports[name] = rep
    return rep


def _reload_in_place(st, name, params, timeout, started):
    reset = params.get("reset") or []
    if not isinstance(reset, list) or not all(isinstance(r, str) for r in reset):
        raise ValueError("reset must be a list of module or module.NAME strings")
    hooks = params.get("hooks") or []
    if not isinstance(hooks, list) or not all(isinstance(h, str) for h in hooks):
        raise ValueError("hooks must be a list of module names")
    outcome = inplace.reload(st, name, timeout, force_all=bool(params.get("all")),
                             reset=reset, hooks=hooks)
    extra = inplace_fields(outcome)
    if outcome.error is not None:
        rep = entries.report(st, "reload", name, started, ok=False,
                             rolled_back=outcome.rolled_back, error=outcome.error,
                             extra=extra)
    else:
        rep = entries.report(st, "reload", name, started, modules=outcome.modules,
                             stale_list=leftover.scan(st, name, outcome), extra=extra)
    st.reports[name] = rep
    return rep


def inplace_fields(outcome):
    """The Report fields only an in-place reload fills (PROTOCOL.md)."""
    return {
        "mode": "inplace", "unchanged": outcome.unchanged,
        "updated": {"functions": outcome.functions, "classes": outcome.classes},
        "kept": list(outcome.kept), "reset": list(outcome.reset),
        "added": list(outcome.added),
        "deleted": ["%s.%s" % (m, n) for m, n, _ in outcome.deleted],
        "rebound": ["%s.%s" % (h, n) for h, n, _ in outcome.rebound],
    }


def scan_packages(st, packages):
    """Scan packages (default: every package reloaded so far); return a Report."""
    started = time.perf_counter()
    packages = list(packages) or sorted(st.generations)
    found = []
    for name in packages:
        for entry in scan.scan(st, name):
            entry["data"].setdefault("package", name)
            found.append(entry)
    return entries.report(st, "scan", ",".join(packages), started, stale_list=found)


def fix(st, params):
    """Apply a fix (PROTOCOL.md FixParams), then rescan; return a Report."""
    started = time.perf_counter()
    kind = params.get("kind")
    package = params.get("package")
    if kind not in fixes.KINDS:
        raise ValueError("fix kind must be one of %s" % ", ".join(fixes.KINDS))
    if not package:
        raise ValueError("fix needs a package")
    results = fixes.apply(st, package, kind, params.get("targets") or [])
    rep = entries.report(st, "fix", package, started, stale_list=scan.scan(st, package),
                         fixes=results)
    st.reports[package] = rep
    return rep


def status_fields(st):
    """Return the engine's part of Status: interpreter facts and workspace packages."""
    return {
        "pid": os.getpid(), "kind": st.kind, "root": st.root,
        "python": platform.python_version(), "executable": sys.executable,
        "sys_path": list(sys.path), "modules": len(sys.modules),
        "packages": resolve.workspace_packages(st),
    }


def failure_of(st, exc):
    """Return the Failure of exc for this state's workspace (failure.from_exception):
    the embedded host's entry and PYTHON_RAISED errors and the agent's describe
    exceptions through it, so both report one failure alike."""
    return failure.from_exception(exc, st.root, st.libdirs)


def import_modules(st, names):
    """Import names; return {"imported": [...], "failures": [Failure...]}, each
    failure naming its module in "module" (and, for people, in its message)."""
    imported, failures = [], []
    for name in names:
        try:
            importlib.import_module(name)
            imported.append(name)
        except BaseException as exc:  # report, never let user code kill the host
            fail = failure_of(st, exc)
            fail["message"] = "%s: %s" % (name, fail["message"])
            fail["module"] = name
            failures.append(fail)
    return {"imported": imported, "failures": failures}
