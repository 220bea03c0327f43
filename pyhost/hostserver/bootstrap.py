"""Glue between the embedded host (Go) and the engine, run in pyhost's
private namespace: it loads the engine package from embedded sources without
leaving it in sys.modules, answers JSON calls with it, and runs the user's
entry in a background thread. Nothing here prints."""

import importlib
import importlib.util
import json
import os
import runpy
import stat
import sys
import threading
import traceback
import types


def load_engine(package, sources_json, root, kind, accel, cache_dir=""):
    """Load the engine as package `package` from its sources (name -> text)
    through the engine's own loader (its __init__'s load: the agent and the
    engine tests use the same) and return a dict holding the api module and
    its state. cache_dir, if given, keeps the compiled code between host
    starts."""
    sources = json.loads(sources_json)

    def code_for(name):
        return _compiled(sources[name], "<pyreload engine>/%s.py" % name, cache_dir)

    pkg = types.ModuleType(package)
    exec(code_for("__init__"), vars(pkg))
    api = pkg.load(pkg, code_for, sources)
    return {"api": api, "state": pkg.start(api, root, kind, accel), "entrypoint": pkg.entrypoint,
            "ownframes": pkg.ownframes}


def _compiled(source, filename, cache_dir):
    """compile(), through a cache keyed by the source and the bytecode magic
    number, written atomically; any cache trouble just compiles. The host
    passes a cache_dir that only this user may change (hostproto.PrivateDir);
    a cached file is used only if it is this user's and no one else may
    write it, as a planted one would not be."""
    import hashlib
    import marshal
    if not cache_dir:
        return compile(source, filename, "exec")
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + filename.encode() + source.encode()).hexdigest()
    path = os.path.join(cache_dir, key[:32] + ".code")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022:
                return marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, "exec")
    try:
        tmp = "%s.%d.tmp" % (path, os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(tmp, path)
    except OSError:
        pass
    return code


def handle(engine, method, params_json):
    """Answer one engine method; returns the result as JSON text."""
    return engine["api"].handle_json(engine["state"], method, params_json)


def prepare(root, paths=()):
    """Put the root and the project's other sys.path entries (src layout,
    the paths setting) first on sys.path, in order, and make user output
    line-buffered."""
    entries = [p for p in ([root] + [p for p in paths if p != root]) if p not in sys.path]
    sys.path[0:0] = entries
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass
    return "ok"


def prepare_entry(entry, argv_json, root, describe, entrypoint, ownframes):
    """Return the handle dict of the user's entry, which run_entry then runs
    on the interpreter's main thread, as python3 runs a script. describe
    turns an exception into a Failure dict; entrypoint and ownframes are
    the engine's modules of those names (how an entry is resolved; which
    frames of its traceback are the user's: the agent's rules too)."""
    return {"entry": entry, "argv": json.loads(argv_json), "root": root, "describe": describe,
            "entrypoint": entrypoint, "ownframes": ownframes,
            "state": "running", "code": None, "error": None, "done": threading.Event(),
            "ident": threading.main_thread().ident}


def run_entry(run):
    """Run the entry prepared by prepare_entry (on the main thread) to its end."""
    try:
        value = _run_entry(run["entrypoint"], run["entry"], run["argv"], run["root"])
        # module:function exits as a console script does, sys.exit(main()),
        # when main returns an exit status (an int).
        code = value if isinstance(value, int) and not isinstance(value, bool) else 0
        run["state"], run["code"] = "finished", code
    except SystemExit as exc:
        run["state"], run["code"] = "exited", _exit_code(exc)
    except KeyboardInterrupt:
        # Ctrl-C the app did not handle, or the host stopping it.
        run["state"], run["code"] = "stopped", 130
    except BaseException as exc:
        run["state"], run["code"] = "failed", 1
        run["error"] = run["describe"](exc)
        _print_user_traceback(exc, run["ownframes"])
    finally:
        run["done"].set()


def _print_user_traceback(exc, ownframes):
    """Print exc from the user's first frame: the leading frames of this
    glue, of the engine (its entrypoint), of runpy and of importlib
    skipped, by the engine's rule (ownframes.user_tb; the agent's too)."""
    tb = ownframes.user_tb(exc.__traceback__, ownframes.own_dirs())
    if tb is None:
        print("pyreload: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)
    else:
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)


def _exit_code(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _run_entry(entrypoint, entry, argv, root):
    """Resolve entry by the engine's rule (entrypoint: what a missing one
    raises) and run it as __main__."""
    kind = entrypoint.kind(entry)
    if kind == "script":
        path = entrypoint.script(entry, root)
        sys.argv = [path] + argv
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        _run_script_as_main(path)
        return None
    if kind == "function":
        module, func = entry.split(":", 1)
        sys.argv = [module] + argv
        return entrypoint.function(module, func)()
    entrypoint.module(entry, as_main=True)
    sys.argv = [entry] + argv
    # As `python -m`: the code runs in the real __main__ module, which stays
    # in sys.modules afterwards, so its objects live on for reloads.
    runpy._run_module_as_main(entry, alter_argv=True)
    return None


def _run_script_as_main(path):
    """As `python script.py`: run in the real __main__ module's namespace."""
    main = sys.modules["__main__"]
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec")
    main.__dict__.update({"__name__": "__main__", "__file__": path,
                          "__cached__": None, "__spec__": None, "__package__": None})
    exec(code, main.__dict__)


def entry_status(run):
    return {"entry": run["entry"], "entry_state": run["state"], "entry_error": run["error"]}


def wait_entry(run, timeout):
    """Block (GIL released) until the entry ends or timeout seconds pass."""
    run["done"].wait(timeout)
    return json.dumps({"state": run["state"], "code": run["code"], "error": run["error"]})


def join_user_threads(timeout):
    """Wait for non-daemon user threads, as the interpreter does at exit."""
    timeout = float(timeout)
    deadline = None if timeout < 0 else __import__("time").monotonic() + timeout
    for t in threading.enumerate():
        if t is threading.main_thread() or t.daemon or t is threading.current_thread():
            continue
        left = None if deadline is None else max(0, deadline - __import__("time").monotonic())
        t.join(left)
    return "ok"


def at_exit():
    """Run atexit handlers and flush the user's streams before the host exits."""
    try:
        import atexit
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return "ok"


def call_target(entrypoint, target, args_json):
    """Call module:function with JSON args; return its JSON value (or repr).
    The function is found by the engine's rule (entrypoint.function, an
    entry's: what a missing one raises)."""
    if entrypoint.kind(target) != "function":
        raise ValueError("call needs a target module:function, not %r" % target)
    module, func = target.split(":", 1)
    value = entrypoint.function(module, func)(*json.loads(args_json))
    try:
        return json.dumps({"value": value})
    except (TypeError, ValueError):
        return json.dumps({"value": repr(value)})


# The string-in, string-out entry points pyhost calls. The host's own state
# (engine, entry run) lives in one dict of pyhost's private namespace.
_HOST = {}


def host_load(package, sources_json, root, kind, cache_dir, paths_json="[]"):
    _HOST["root"] = root
    prepare(root, json.loads(paths_json))
    accel = globals().get("_pyreload_accel")
    _HOST["engine"] = load_engine(package, sources_json, root, kind, accel, cache_dir)
    return "ok"


def host_socket(path):
    """Name the host's socket in the process field of every report."""
    _HOST["engine"]["state"].socket = path
    return ""


def _engine_failure(exc):
    """The engine's Failure of exc (api.failure_of), the agent's too."""
    engine = _HOST["engine"]
    return engine["api"].failure_of(engine["state"], exc)


def host_describe(exc_type, exc, tb):
    """pyhost's describer once the engine is loaded (pyhost.SetDescriber):
    the fields of pyhost.PyError, from the engine's Failure of the
    exception a call raised, so that a -32000 error's data is located and
    named as the entry's failure and the agent's are."""
    if tb is not None:
        exc = exc.with_traceback(tb)
    f = _engine_failure(exc)
    return (f["type"], f["message"], f["traceback"] or "", f["file"] or "", f["line"] or 0, f["column"] or 0)


def host_handle(method, params_json):
    return handle(_HOST["engine"], method, params_json)


def host_status():
    engine = _HOST["engine"]
    fields = engine["api"].status_fields(engine["state"])
    run = _HOST.get("run")
    if run is not None:
        fields.update(entry_status(run))
    else:
        fields.update({"entry": None, "entry_state": "idle", "entry_error": None})
    return json.dumps(fields, default=repr)


def host_import(names_json):
    engine = _HOST["engine"]
    return json.dumps(engine["api"].import_modules(engine["state"], json.loads(names_json)))


def host_start_entry(entry, argv_json):
    if _HOST.get("run") is not None and _HOST["run"]["state"] == "running":
        raise RuntimeError("the entry %s is already running" % _HOST["run"]["entry"])
    engine = _HOST["engine"]
    _HOST["run"] = prepare_entry(entry, argv_json, _HOST["root"], _engine_failure,
                                 engine["entrypoint"], engine["ownframes"])
    return json.dumps({"started": True, "ident": _HOST["run"]["ident"]})


def host_run_entry():
    """Run the prepared entry; called on the main thread (pyhost CallMain)."""
    run_entry(_HOST["run"])
    return ""


def host_wait_entry(timeout):
    return wait_entry(_HOST["run"], float(timeout))


def host_call(target, args_json):
    return call_target(_HOST["engine"]["entrypoint"], target, args_json)
