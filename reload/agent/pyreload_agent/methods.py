"""The agent's answers to the host-protocol methods, the counterpart of
pyhost/hostserver/methods.go: the same results with ``"kind": "agent"``.
``dispatch`` runs on the agent's one worker thread; ``ping`` and the
refusals are answered by the connection thread, touching nothing."""

import importlib
import os
import sys

from . import rpc
from . import target

# REFUSED are methods the agent never serves: it runs no code sent over
# the socket beyond the engine's own methods.
REFUSED = ("call", "run")
ENGINE_METHODS = ("reload", "scan", "fix")
QUEUED = ("status", "import") + ENGINE_METHODS

# ROLE is "run" or "serve" when pyreload started this process to host the
# app (pyreload_agent.hosted), as the embedded host's ping says; else None.
ROLE = None

# Deadlines (seconds) when the request names none, as the embedded host's.
DEFAULT_TIMEOUT = 60.0
STATUS_TIMEOUT = 5.0


def ping():
    answer = {"pong": True, "pid": os.getpid(), "kind": "agent"}
    if ROLE:
        answer["role"] = ROLE
    return answer


def refusal(method):
    return rpc.RPCError(rpc.UNKNOWN_METHOD, "method %r is refused by the pyreload agent: it never runs code sent "
                        "over the socket (only the embedded host, `pyreload run`, serves it)" % method)


def timeout_of(method, params):
    """Return the deadline in seconds for one queued request; a timeout_ms
    beyond rpc.MAX_TIMEOUT_MS is rewritten in params to that, so that the
    engine keeps the same deadline. Raises RPCError for a bad timeout_ms."""
    if method == "status":
        return STATUS_TIMEOUT
    ms = rpc.timeout_ms(params)
    if "timeout_ms" in params and params["timeout_ms"] is not None and params["timeout_ms"] != ms:
        params["timeout_ms"] = ms
    return ms / 1000.0 if ms > 0 else DEFAULT_TIMEOUT


def dispatch(agent, method, params):
    """Answer a queued method on the worker thread."""
    if method == "status":
        return status(agent)
    if method == "import":
        modules = params.get("modules") or []
        if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
            raise rpc.RPCError(rpc.INVALID_PARAMS, 'import needs {"modules": ["name", ...]}')
        return import_modules(modules, agent.engine)
    if method in ENGINE_METHODS:
        report = agent.engine_or_raise().handle(method, params)
        if isinstance(report, dict):
            report = dict(report)
            report["process"] = agent.process()
        return report
    raise rpc.RPCError(rpc.UNKNOWN_METHOD, "unknown method %r" % method)


def status(agent):
    """The Status of PROTOCOL.md for this process."""
    fields = {}
    engine = agent.engine
    if engine is not None:
        fields.update(engine.status_fields())
    fields.update({
        "pid": os.getpid(), "kind": "agent", "root": agent.root,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "sys_path": list(sys.path),
        "modules": len(sys.modules),
        "startup_failures": ([agent.engine_error] if agent.engine_error else [])
        + list(getattr(agent, "startup_failures", ())),
    })
    fields.update(target.entry_status())
    fields.setdefault("packages", workspace_packages(agent.root))
    return fields


def workspace_packages(root):
    """Top-level names of loaded modules whose files lie under root."""
    prefix = root.rstrip(os.sep) + os.sep
    out = set()
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None)
        if name == "__main__" or not isinstance(path, str):
            continue
        if os.path.realpath(path).startswith(prefix):
            out.add(name.partition(".")[0])
    return sorted(out)


def import_modules(modules, engine=None):
    """Import each module: {"imported": [...], "failures": [Failure...]}. The
    engine's rule when it is loaded (the embedded host's, so both report a
    failed import alike: located at the workspace frame, its module named);
    when the engine could not be loaded, the same fields from rpc's minimal
    describe_failure."""
    if engine is not None:
        return engine.api.import_modules(engine.state, modules)
    imported, failures = [], []
    for name in modules:
        try:
            importlib.import_module(name)
            imported.append(name)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too
            fail = rpc.describe_failure(exc)
            fail["message"] = "%s: %s" % (name, fail["message"])
            fail["module"] = name
            failures.append(fail)
    return {"imported": imported, "failures": failures}
