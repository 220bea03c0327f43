"""JSON-RPC 2.0 framing of the host protocol: one JSON object per line, the
protocol's error codes, and exceptions turned into Failure dicts."""

import json
import traceback

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
UNKNOWN_METHOD = -32601
INVALID_PARAMS = -32602
PYTHON_RAISED = -32000
DEADLINE = -32001
BUSY = -32002

MAX_MESSAGE = 64 << 20


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
    """Return msg as one protocol line (bytes, newline-terminated)."""
    return json.dumps(msg, default=repr).encode("utf-8") + b"\n"


def parse(line):
    """Decode a request line: (id, method, params) or raise RPCError with
    the id when known (as the attribute req_id)."""
    try:
        req = json.loads(line.decode("utf-8"))
    except ValueError as exc:
        raise RPCError(PARSE_ERROR, "parse error: %s" % exc)
    if not isinstance(req, dict):
        raise RPCError(INVALID_REQUEST, "invalid request")
    req_id = req.get("id")
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


def describe_failure(exc):
    """Return the Failure dict (PROTOCOL.md) of an exception."""
    tb = exc.__traceback__
    file, line, col = None, None, None
    if isinstance(exc, SyntaxError):
        file, line, col = exc.filename, exc.lineno, exc.offset
    elif tb is not None:
        last = traceback.extract_tb(tb)[-1]
        file, line = last.filename, last.lineno
    t = type(exc)
    name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
    return {"type": name, "message": str(exc), "file": file, "line": line, "column": col,
            "traceback": "".join(traceback.format_exception(t, exc, tb))}
