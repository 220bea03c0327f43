"""Running the app's TARGET as ``__main__`` in the main thread, the way
``pyreload run`` does: a module (``pkg.app``), ``module:function``
(``pkg.app:main``) or a script path; and what ``status`` says about it."""

import importlib
import os
import runpy
import sys

from . import engineload
from . import rpc

# _ENTRY is the entry of this process (inherited by forked workers).
_ENTRY = {"entry": None, "entry_state": "idle", "entry_error": None}


def entry_status():
    return dict(_ENTRY)


def run(entry, argv, root):
    """Run entry with argv as __main__; returns what a function target
    returned (for sys.exit). Exceptions propagate, recorded in status."""
    _ENTRY.update(entry=entry, entry_state="running", entry_error=None)
    try:
        value = _run(entry, argv, root)
    except SystemExit as exc:
        _ENTRY["entry_state"] = "finished" if exc.code in (None, 0) else "failed"
        raise
    except BaseException as exc:
        _ENTRY.update(entry_state="failed", entry_error=_describe(exc))
        raise
    _ENTRY["entry_state"] = "finished"
    return value


def _describe(exc):
    """The entry's Failure: this process's agent's (the engine's rule, the
    embedded host's); rpc's minimal one only with no agent running."""
    from . import current  # the package imports this module first

    agent = current()
    return agent.describe(exc) if agent is not None else rpc.describe_failure(exc)


def _run(entry, argv, root):
    """Resolve entry by the engine's rule (its entrypoint module: what a
    missing one raises, the embedded host's rule too) and run it as __main__."""
    rule = _entrypoint()
    kind = rule.kind(entry) if rule is not None else _plain_kind(entry)
    if kind == "script":
        path = rule.script(entry, root) if rule is not None else _plain_script(entry, root)
        sys.argv = [path] + list(argv)
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        runpy.run_path(path, run_name="__main__")
        return None
    if kind == "function":
        module, func = entry.split(":", 1)
        sys.argv = [module] + list(argv)
        return (rule.function if rule is not None else _plain_function)(module, func)()
    if rule is not None:
        rule.module(entry, as_main=True)
    sys.argv = [entry] + list(argv)
    runpy.run_module(entry, run_name="__main__", alter_sys=True)
    return None


def _entrypoint():
    """The engine's entrypoint module, or None when the engine cannot be
    loaded: then the _plain_ functions resolve the entry, with Python's own
    errors (runpy's)."""
    try:
        return engineload.load_package().entrypoint
    except Exception:
        return None


def _plain_kind(entry):
    if entry.endswith(".py") or os.sep in entry:
        return "script"
    return "function" if ":" in entry else "module"


def _plain_script(entry, root):
    path = entry if os.path.isabs(entry) else os.path.abspath(entry)
    if not os.path.exists(path) and not os.path.isabs(entry):
        path = os.path.join(root, entry)
    if not os.path.exists(path):
        raise FileNotFoundError("entry script %s does not exist" % path)
    return path


def _plain_function(module, func):
    obj = importlib.import_module(module)
    for part in func.split("."):
        obj = getattr(obj, part)
    return obj
