"""JSON-RPC 2.0 framing of the host protocol: one JSON object per line, the
protocol's error codes, exceptions turned into Failure dicts without the
engine, and which frames of a traceback are the user's (the engine's
ownframes rule, loaded alone)."""

import json
import math
import os
import re
import traceback
import types

from . import engineload

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
UNKNOWN_METHOD = -32601
INVALID_PARAMS = -32602
PYTHON_RAISED = -32000
DEADLINE = -32001
BUSY = -32002

MAX_MESSAGE = 64 << 20
INTERNAL_ERROR = -32603

# MAX_TIMEOUT_MS is the longest deadline a request may ask for (24 hours), as
# hostproto.MaxTimeoutMS: a larger timeout_ms is taken as this.
MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000


class Number(float):
    """A JSON number too large for a float (1e400): its value is infinite and
    its text is kept, so that an id is answered exactly as it came."""

    def __new__(cls, text):
        n = float.__new__(cls, text)
        n.text = text
        return n


class RPCError(Exception):
    """An error answered to the client with a specific code."""

    def __init__(self, code, message, data=None):
        Exception.__init__(self, message)
        self.code, self.message, self.data = code, message, data


def result(req_id, value):
    return {"jsonrpc": "2.0", "id": req_id, "result": value}


def error(req_id, code, message, data=None):
    err = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": req_id, "error": err}


def encode(msg):
    """Return msg as one protocol line (bytes, newline-terminated): always
    valid JSON. The id goes back as it came; a float that JSON cannot hold
    (inf, nan) becomes its repr; a result that cannot be encoded at all is
    answered with an internal error."""
    req_id = msg.get("id")
    rest = dict(msg)
    rest.pop("id", None)
    try:
        body = _dumps(rest)
    except (ValueError, TypeError, RecursionError) as exc:
        body = _dumps({"jsonrpc": "2.0", "error": {
            "code": INTERNAL_ERROR, "message": "the answer could not be encoded as JSON: %s" % exc}})
    if isinstance(req_id, Number):
        id_text = req_id.text
    else:
        id_text = _dumps(req_id)
    return ('{"id": %s%s%s' % (id_text, ", " if body != "{}" else "", body[1:])).encode("utf-8") + b"\n"


def _dumps(value):
    try:
        return json.dumps(value, default=repr, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), default=repr, allow_nan=False)


def _finite(value):
    """value with every float JSON cannot hold replaced by its repr."""
    if isinstance(value, float) and not math.isfinite(value):
        return getattr(value, "text", repr(value))
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _number(text):
    n = float(text)
    return n if math.isfinite(n) else Number(text)


_ID = re.compile(rb'"id"\s*:\s*(-?[0-9]+|"(?:[^"\\]|\\.)*")')


def sniff_id(head):
    """Return the id found in the start of a request that is not read whole."""
    m = _ID.search(head)
    if m is None:
        return None
    try:
        return json.loads(m.group(1).decode("utf-8"))
    except ValueError:
        return None


def parse(line):
    """Decode a request line: (id, method, params) or raise RPCError with
    the id when known (as the attribute req_id)."""
    try:
        req = json.loads(line.decode("utf-8"), parse_float=_number)
    except ValueError as exc:
        raise RPCError(PARSE_ERROR, "parse error: %s" % exc)
    except RecursionError:
        raise RPCError(PARSE_ERROR, "parse error: nested too deeply")
    if not isinstance(req, dict):
        raise RPCError(INVALID_REQUEST, "invalid request")
    req_id = req.get("id")
    if req_id is not None and (isinstance(req_id, bool) or not isinstance(req_id, (int, float, str))):
        raise RPCError(INVALID_REQUEST, "invalid request: id must be a number or a string")
    method = req.get("method")
    if req.get("jsonrpc") != "2.0" or not isinstance(method, str) or not method:
        exc = RPCError(INVALID_REQUEST, "invalid request")
        exc.req_id = req_id
        raise exc
    params = req.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        exc = RPCError(INVALID_PARAMS, "params must be an object")
        exc.req_id = req_id
        raise exc
    return req_id, method, params


def timeout_ms(params):
    """Return params' timeout_ms (PROTOCOL.md): 0 when absent, null or 0, at
    most MAX_TIMEOUT_MS; else raise RPCError (INVALID_PARAMS)."""
    ms = params.get("timeout_ms")
    if ms is None:
        return 0
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0 or ms != ms:
        raise RPCError(INVALID_PARAMS, "timeout_ms must be a number of milliseconds, not %.40s" % _dumps(ms))
    return min(int(math.ceil(ms)) if math.isfinite(ms) else MAX_TIMEOUT_MS, MAX_TIMEOUT_MS)


def describe_failure(exc):
    """Return a Failure dict (PROTOCOL.md) of an exception without the
    engine (it could not be loaded; no agent runs), and only then: with the
    engine loaded, every Failure is the engine's (Agent.describe,
    api.failure_of), the embedded host's rule. Minimal: the type named as
    Python's traceback names it (as the engine does), located at the
    innermost real frame that is not pyreload's own (the engine's rule
    without a root: its ownframes module, loaded alone)."""
    tb = exc.__traceback__
    file, line, col = None, None, None
    if isinstance(exc, SyntaxError):
        file, line, col = exc.filename, exc.lineno, exc.offset
    elif tb is not None:
        frames = traceback.extract_tb(tb)
        rule = own_frames()
        last = rule.located(frames, rule.own_dirs()) if rule is not None else frames[-1]
        if last is not None:
            file, line = last.filename, last.lineno
    t = type(exc)
    name = t.__qualname__ if t.__module__ in ("builtins", "__main__") else t.__module__ + "." + t.__qualname__
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable %s>" % name
    return {"type": name, "message": message, "file": file, "line": line, "column": col,
            "traceback": "".join(traceback.format_exception(t, exc, tb))}


_OWN_FRAMES = {}  # "module": ownframes loaded alone (or None), once per process


def own_frames():
    """The engine's ownframes module (which frames are pyreload's own and
    which the user's), loaded alone once, named as in the engine: it
    imports no other engine module, so that it serves when the engine
    cannot be loaded. None when its file cannot be read (no engine at all:
    then nothing is skipped)."""
    if "module" not in _OWN_FRAMES:
        path = os.path.join(engineload.engine_dir(), "ownframes.py")
        module = types.ModuleType(engineload.PACKAGE + ".ownframes")
        module.__file__ = path
        try:
            with open(path, "rb") as handle:
                exec(compile(handle.read(), path, "exec"), vars(module))
        except Exception:
            module = None
        _OWN_FRAMES["module"] = module
    return _OWN_FRAMES["module"]


def user_frames(tb):
    """The traceback of a failed entry from the user's first frame (the
    leading frames of the agent, the engine, runpy and importlib skipped, by
    ownframes.user_tb, the embedded host's rule); None when only they are
    left."""
    rule = own_frames()
    return rule.user_tb(tb, rule.own_dirs()) if rule is not None else tb
