"""pyreload engine: reload a workspace package inside a live interpreter, in place or by eviction.

Every host loads this package the same way, through load() below: the
embedded host from the sources Go embeds (pyhost/hostserver/bootstrap.py),
the agent and the engine tests' driver from the .py files (load_files). A
host runs this file's code in a fresh module named as the package, then calls
its load(); then start() once and ``api.handle`` per request. Every module
here is stateless; all state lives in ``state.State``.

load() runs the modules of LOAD_ORDER in that order, each registered as
``<package>.<name>`` in sys.modules while the modules run (never afterwards)
and set as an attribute of the package module before the next one runs; every
module only uses top-level ``from . import x`` of modules earlier in the order.
A module of the engine missing from LOAD_ORDER is refused. tests/ is not part
of the engine.
"""

import _imp
import os
import sys
import types

LOAD_ORDER = ("paths", "ownframes", "failure", "entrypoint", "entries", "locks", "compileworker", "precompile",
              "fresh", "sources", "state", "statements", "partial", "update", "codedefs", "locate",
              "heap", "oldobjects", "watchdog", "patch", "holderwalk", "scan",
              "fixrebind", "fixpatch", "fixdependents", "resolve", "missing",
              "flask_routing", "flask_remade",
              "reloader", "fixes", "adapterkit", "fw_flask", "starlette_apps",
              "starlette_routes", "fw_starlette", "django_models", "django_urls", "fw_django",
              "fw_sqlalchemy", "fw_pydantic", "fw_celery", "fw_click", "fw_aiohttp",
              "fw_attrs", "adapters", "runphase", "follow", "applyphase", "inplace",
              "leftover", "api")


def load(package, code_for, names):
    """Run the LOAD_ORDER modules into package (the module this file ran in)
    and return its api module. code_for(name) returns the code object of
    engine module name (its co_filename becomes the module's __file__); names
    are the modules the host has, "__init__" included: one missing from
    LOAD_ORDER, or one of LOAD_ORDER missing, is an ImportError. sys.modules
    is as it was afterwards, also when a module raises (then so does load)."""
    _check_names(names)
    name = package.__name__
    package.__package__ = name
    package.__path__ = []
    package.__file__ = load.__code__.co_filename
    keys = [name] + ["%s.%s" % (name, short) for short in LOAD_ORDER]
    saved = {key: sys.modules.get(key) for key in keys}
    # The import lock keeps other threads' imports from seeing the engine's
    # modules while they are registered.
    _imp.acquire_lock()
    try:
        sys.modules[name] = package
        for short in LOAD_ORDER:
            code = code_for(short)
            module = types.ModuleType("%s.%s" % (name, short))
            module.__package__ = name
            module.__file__ = code.co_filename
            sys.modules[module.__name__] = module
            exec(code, vars(module))
            setattr(package, short, module)
    finally:
        for key, old in saved.items():
            if old is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = old
        _imp.release_lock()
    return package.api


def _check_names(names):
    have = set(names)
    extra = sorted(have - set(LOAD_ORDER) - {"__init__"})
    missing = [n for n in LOAD_ORDER if n not in have]
    if extra or missing:
        parts = []
        if extra:
            parts.append("%s not in LOAD_ORDER" % ", ".join("%s.py" % n for n in extra))
        if missing:
            parts.append("LOAD_ORDER names %s, which is missing" % ", ".join(
                "%s.py" % n for n in missing))
        raise ImportError("pyreload engine: %s (reload/engine/__init__.py)" % "; ".join(parts))


def load_files(package, directory):
    """load() from the engine's .py files in directory (the agent's shipped
    subpackage, a source checkout), each compiled as the import system does,
    through its bytecode cache (__pycache__, unless sys.dont_write_bytecode)."""
    names = [f[:-3] for f in os.listdir(directory) if f.endswith(".py")]
    return load(package, lambda short: file_code(os.path.join(directory, short + ".py")), names)


def file_code(path):
    """The code object of one engine file, as the import system compiles it."""
    from importlib.machinery import SourceFileLoader
    loader = SourceFileLoader("_pyreload_engine_file", path)
    return loader.get_code("_pyreload_engine_file")


def start(api, root, kind, accel=None):
    """Return the State a host keeps between calls for workspace root. kind is
    how reports name the host ("host": the embedded one, "agent": the pure
    Python agent); accel is the embedded host's C heap filter (None elsewhere).
    The engine interrupts a re-import past its deadline itself in every host
    (state.watchdog); the embedded host's interrupt is only its backstop."""
    state = api.new_state(root, kind)
    state.accel = accel
    state.watchdog = True
    return state
